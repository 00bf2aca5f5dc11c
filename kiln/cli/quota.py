"""`kiln quota show|cleanup` (via the REST API) and `kiln registry gc` (on the registry host)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from kiln.config import Settings
from kiln.errors import KilnError, UserError
from kiln.registry.gc import garbage_collect

quota_app = typer.Typer(no_args_is_help=True, help="Registry quota of a workspace (via the API).")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
WorkspaceOpt = Annotated[str, typer.Option("--workspace", "-w", help="workspace slug")]


def _mb(value: int) -> str:
    return f"{value / 1e6:.1f} MB"


def _call(method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    settings = Settings()
    token = settings.api_token or settings.bootstrap_token
    try:
        response = httpx.request(
            method, f"{settings.api_url}/api/v1{path}", json=body, timeout=600,
            headers={"Authorization": f"Bearer {token}"},
        )  # fmt: skip
    except httpx.TransportError as exc:
        err.print(f"error: kiln is not reachable at {settings.api_url} ({exc})")
        raise typer.Exit(1) from None
    if response.status_code >= 400:
        try:
            message = response.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = response.text[:200]
        err.print(f"error: {message} ({response.status_code})")
        raise typer.Exit(2 if response.status_code < 500 else 1)
    return response.json()


@quota_app.command("show")
def show(workspace: WorkspaceOpt) -> None:
    """Usage (unique blobs) against the quota, per app."""
    usage = _call("GET", f"/workspaces/{workspace}/registry-usage")
    out.print(
        f"{workspace}: {_mb(usage['used_bytes'])} of {_mb(usage['quota_bytes'])} "
        f"({usage['percent']:.1f} %)"
    )
    table = Table("app", "images", "used (unique blobs)")
    for app in usage["apps"]:
        table.add_row(app["app"], str(app["images"]), _mb(app["used_bytes"]))
    out.print(table)


@quota_app.command("cleanup")
def cleanup(
    workspace: WorkspaceOpt,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="say what would be deleted")] = False,
) -> None:
    """Delete the oldest images down to 70 % of the quota (never `latest`, never an app's last)."""
    report = _call("POST", f"/workspaces/{workspace}/registry-cleanup", {"dry_run": dry_run})
    verb = "would delete" if dry_run else "deleted"
    if not report["triggered"]:
        out.print(f"usage {_mb(report['before_bytes'])} is under 80 % of the quota: nothing to do")
        return
    for removed in report["removed"]:
        tags = ",".join(removed["tags"])
        out.print(f"{verb} {removed['repository']}:{tags} ({_mb(removed['bytes'])}): "
                  f"{removed['reason']}")  # fmt: skip
    for kept in report["kept_protected"]:
        out.print(f"kept {kept['repository']}:{','.join(kept['tags'])}: {kept['reason']}")
    out.print(f"{_mb(report['before_bytes'])} → {_mb(report['after_bytes'])}")


registry_app = typer.Typer(no_args_is_help=True, help="kiln's managed registry.")


@registry_app.command("gc")
def gc(
    config: Annotated[Path, typer.Option("--config", help="the docker-registry config file")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="report, delete nothing")] = False,
) -> None:
    """Free the disk space of deleted images. Run it while the registry takes no pushes."""
    try:
        report = asyncio.run(garbage_collect(config, lambda line: err.print(line, markup=False),
                                             dry_run=dry_run))  # fmt: skip
    except KilnError as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(2 if isinstance(exc, UserError) else 1) from None
    out.print(f"{_mb(report.before_bytes)} → {_mb(report.after_bytes)} on disk: "
              f"{_mb(report.freed_bytes)} freed" + (" (dry run)" if dry_run else ""))  # fmt: skip
