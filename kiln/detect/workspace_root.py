"""A monorepo app's workspace root: where its install must run (root lock file, turbo.json,
every member's manifest), although the app itself lives in a sub-directory."""

from __future__ import annotations

from kiln.detect.repo import RepoView


def workspace_root(checkout: RepoView, subdirectory: str) -> str | None:
    """The nearest ancestor of `subdirectory` that declares a JavaScript workspace, relative to
    the checkout ("." for the repository root), or None."""
    parts = [part for part in subdirectory.split("/") if part not in ("", ".")]
    for depth in range(len(parts) - 1, -1, -1):
        ancestor = "/".join(parts[:depth])
        prefix = f"{ancestor}/" if ancestor else ""
        if checkout.has_file(f"{prefix}pnpm-workspace.yaml"):
            return ancestor or "."
        if checkout.has_file(f"{prefix}package.json"):
            manifest = checkout.read_json(f"{prefix}package.json")
            if "workspaces" in manifest:
                return ancestor or "."
    return None


def member_path(root: str, subdirectory: str) -> tuple[str, str]:
    """The app's directory relative to the workspace root, and the way back up from the app to
    the root (the build context relative to the app's directory)."""
    parts = [part for part in subdirectory.split("/") if part not in ("", ".")]
    above = [] if root == "." else root.split("/")
    member = parts[len(above) :]
    return "/".join(member), "/".join([".."] * len(member))
