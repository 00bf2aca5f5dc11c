"""`kiln`: plan, dockerfile, build, bases — errors become one line on stderr and a non-zero exit."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from kiln.cli.admin import admin_app
from kiln.cli.quota import quota_app, registry_app
from kiln.config import Settings
from kiln.detect.overrides import Overrides, overrides_from_env
from kiln.errors import KilnError, UserError
from kiln.logs.reporter import Reporter
from kiln.pipeline.build import default_engine, dockerfile_text
from kiln.pipeline.local import LocalBuild, build_local, plan_directory
from kiln.pipeline.local import parse_target as parse_image_target
from kiln.plan.bases import load_catalog
from kiln.source.git import head_commit

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="kiln: turn a source directory into an OCI image (plan, build, push).",
)
bases_app = typer.Typer(no_args_is_help=True, help="Base images: bootstrap from Debian, list.")
app.add_typer(bases_app, name="bases")
app.add_typer(quota_app, name="quota")
app.add_typer(registry_app, name="registry")
app.add_typer(admin_app, name="admin")
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)
T = TypeVar("T")

DirArg = Annotated[Path, typer.Argument(help="the project directory")]
ProviderOpt = Annotated[str | None, typer.Option("--provider", help="force a provider by name")]


def _settings() -> Settings:
    return Settings()


def _env_overrides() -> Overrides:
    """The per-build KILN_* variables (KILN_START_CMD, KILN_PACKAGES, …): the second layer."""
    return _guard(lambda: overrides_from_env(os.environ))


def _fail(exc: KilnError) -> typer.Exit:
    one_line = " ".join(str(exc).split())
    err.print(f"[bold red]error:[/] {escape(one_line)}", markup=True, soft_wrap=True)
    return typer.Exit(2 if isinstance(exc, UserError) else 1)


def _guard(action: Callable[[], T]) -> T:
    try:
        return action()
    except KilnError as exc:
        raise _fail(exc) from None


async def _cancel_on_sigterm(coroutine: Coroutine[Any, Any, T]) -> T:
    """SIGTERM cancels the work like Ctrl-C does, so engine processes are killed, not orphaned."""
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    return await coroutine


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        return _guard(lambda: asyncio.run(_cancel_on_sigterm(coroutine)))
    except (KeyboardInterrupt, asyncio.CancelledError):
        err.print("[bold red]cancelled[/]")
        raise typer.Exit(130) from None


def _directory(path: Path) -> Path:
    if not path.exists():
        raise _fail(UserError(f"{path}: no such directory"))
    if not path.is_dir():
        raise _fail(UserError(f"{path}: not a directory"))
    return path


@app.command()
def plan(
    directory: DirArg,
    as_json: Annotated[bool, typer.Option("--json", help="print the plan as JSON")] = False,
    provider: ProviderOpt = None,
) -> None:
    """Detect the project and print its build plan (with the reason for each decision)."""
    settings = _settings()
    env = _env_overrides()
    result = _guard(lambda: plan_directory(settings, _directory(directory), provider, env))
    if as_json:
        out.print_json(result.model_dump_json())
        return
    out.print(
        f"[bold]{result.provider}[/]" + (f" · {result.framework}" if result.framework else "")
    )
    for key in ("language", "language_version", "package_manager", "start", "port"):
        value = getattr(result, key)
        if value is not None:
            out.print(f"  {key:<16} {value}", markup=False)
    for label, commands in (("install", result.install), ("build", result.build)):
        for command in commands:
            out.print(f"  {label:<16} {command}", markup=False)
    if result.apt_packages:
        out.print(f"  {'apt packages':<16} {' '.join(result.apt_packages)}", markup=False)
    out.print("\n[bold]why[/]")
    for sentence in result.explanations:
        out.print(f"  • {sentence}", markup=False)


@app.command()
def dockerfile(directory: DirArg, provider: ProviderOpt = None) -> None:
    """Print the Dockerfile kiln would build for the project."""
    settings = _settings()
    source = _directory(directory)
    env = _env_overrides()
    text = _guard(
        lambda: dockerfile_text(settings, source, plan_directory(settings, source, provider, env))
    )
    out.print(text, end="", markup=False)


@app.command()
def build(
    directory: DirArg,
    image: Annotated[str, typer.Option("--image", help="HOST[:PORT]/REPOSITORY[:TAG]")],
    push: Annotated[
        bool, typer.Option("--push", help="push and print the registry's digest")
    ] = False,
    provider: ProviderOpt = None,
    source_url: Annotated[
        str | None, typer.Option("--source-url", help="org.opencontainers.image.source")
    ] = None,
) -> None:
    """Build the project into an image (and push it); prints the digest on stdout."""
    settings = _settings()
    source = _directory(directory)
    target = _guard(lambda: parse_image_target(image))
    request = LocalBuild(
        source_dir=source, image=target, push=push, provider=provider,
        env_overrides=_env_overrides(),
        source_url=source_url, revision=head_commit(source),
    )  # fmt: skip
    with err.status("starting") as status:

        def step(name: str) -> None:
            status.update(f"[bold]{name}[/] {target}")
            err.print(f"[bold cyan]==>[/] {name}")

        def log(line: str) -> None:
            err.print(f"    {line}", markup=False)

        result = _run(build_local(settings, request, Reporter(log=log, step=step)))
    if result.digest is None:
        err.print(f"[green]built[/] {result.image} (image id {result.image_id[:12]}; not pushed)")
        out.print(result.image_id, markup=False)
        return
    size = f"{result.size_bytes / 1e6:.1f} MB" if result.size_bytes is not None else "?"
    err.print(f"[green]pushed[/] {result.image} ({size} compressed)")
    out.print(result.digest, markup=False)


@app.command("serve")
def serve_command(
    host: Annotated[str | None, typer.Option("--host", help="listen address")] = None,
    port: Annotated[int | None, typer.Option("--port", help="listen port")] = None,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="API only; `kiln worker` processes build")
    ] = False,
) -> None:
    """Run the API and a build worker (and Temporal's dev server unless one is configured)."""
    settings = _settings()
    updates = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    settings = settings.model_copy(update=updates)
    err.print(f"kiln serve: http://{settings.host}:{settings.port}/api/docs")
    from kiln.cli.serve import serve  # the service stack loads only when it is served

    _guard(lambda: asyncio.run(serve(settings, with_worker=not no_worker)))


@app.command("worker")
def worker_command() -> None:
    """Run a build worker alone (scale-out): needs KILN_TEMPORAL_ADDRESS and KILN_DATABASE_URL."""
    from kiln.cli.serve import work

    _guard(lambda: asyncio.run(work(_settings())))


@bases_app.command("bootstrap")
def bases_bootstrap(
    registry: Annotated[str, typer.Option("--registry", help="HOST[:PORT]/PREFIX to push to")],
    refresh: Annotated[bool, typer.Option("--refresh", help="rebuild even if up to date")] = False,
) -> None:
    """Build base images from Debian packages, push them, and write the catalog."""
    settings = _settings()
    from kiln.baseimages.bootstrap import bootstrap, parse_target

    target = _guard(lambda: parse_target(registry))
    with err.status("bootstrapping") as status:

        def step(name: str) -> None:
            status.update(f"[bold]{name}[/]")
            err.print(f"[bold cyan]==>[/] {name}")

        def log(line: str) -> None:
            err.print(f"    {line}", markup=False)

        outcome = _run(
            bootstrap(
                settings, target, default_engine(settings), Reporter(log, step), refresh=refresh
            )
        )
    err.print(f"built {len(outcome.built)}, up to date {len(outcome.reused)}")
    err.print(f"catalog written to {settings.catalog_path}")
    _print_catalog(settings)


@bases_app.command("list")
def bases_list(
    as_json: Annotated[bool, typer.Option("--json", help="print the catalog as JSON")] = False,
) -> None:
    """Show the base-image catalog plans resolve against."""
    settings = _settings()
    if as_json:
        catalog = _guard(lambda: load_catalog(settings.catalog_path))
        out.print_json(catalog.model_dump_json())
        return
    _print_catalog(settings)


def _print_catalog(settings: Settings) -> None:
    catalog = _guard(lambda: load_catalog(settings.catalog_path))
    out.print(f"catalog: {catalog.source}", markup=False)
    for entry in catalog.images:
        exact = entry.full_version or entry.version
        out.print(
            f"  {entry.language:<8} {entry.version:<9} {entry.role:<8} {exact:<10} {entry.pinned}",
            markup=False,
        )


def run() -> None:
    app()
