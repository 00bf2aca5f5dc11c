"""Workspaces (npm, yarn, pnpm, bun; turborepo, nx): the members, the app, the install files.

kiln builds from the workspace root so the install sees the root lock file and every member's
manifest; the app is the root when it has a start script, else the one member that can start.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiln.detect.providers.node.manifest import PackageJson, read_package_json
from kiln.detect.repo import RepoView
from kiln.errors import NotAWorkspaceMember

MAX_MEMBERS = 200
MAX_DEPTH = 4
TASK_RUNNERS = (("turbo.json", "turborepo"), ("nx.json", "nx"))


@dataclass
class Workspace:
    root: PackageJson
    members: list[PackageJson] = field(default_factory=list)
    task_runner: str | None = None
    """turborepo or nx, when their config is at the root."""
    source: str = "package.json workspaces"

    def manifests(self) -> list[str]:
        return [member.path for member in self.members]


def _pnpm_patterns(repo: RepoView) -> list[str]:
    """The `packages:` list of pnpm-workspace.yaml, read line by line (a tiny YAML subset)."""
    patterns: list[str] = []
    inside = False
    for line in repo.read_text("pnpm-workspace.yaml").splitlines():
        stripped = line.split("#", 1)[0].rstrip()
        if not stripped:
            continue
        if not line[0].isspace():
            inside = stripped.startswith("packages:")
            continue
        if inside and stripped.lstrip().startswith("- "):
            patterns.append(stripped.lstrip()[2:].strip().strip("'\""))
    return patterns


def _expand(repo: RepoView, pattern: str) -> list[str]:
    """Directories matching a workspace pattern: literal parts, `*` (one level), `**` (any)."""
    parts = [p for p in pattern.strip().removeprefix("./").rstrip("/").split("/") if p]
    found = [""]
    for index, part in enumerate(parts):
        following: list[str] = []
        for base in found:
            prefix = f"{base}/" if base else ""
            if part == "**":
                following += _descend(repo, base, MAX_DEPTH - index)
            elif part == "*":
                following += [
                    f"{prefix}{n}"
                    for n in repo.list_dir(base or ".")
                    if repo.has_dir(f"{prefix}{n}")
                ]
            elif "*" in part:
                head, _, tail = part.partition("*")
                following += [
                    f"{prefix}{n}"
                    for n in repo.list_dir(base or ".")
                    if n.startswith(head) and n.endswith(tail) and repo.has_dir(f"{prefix}{n}")
                ]
            elif repo.has_dir(f"{prefix}{part}"):
                following.append(f"{prefix}{part}")
        found = following[:MAX_MEMBERS]
    return [d for d in found if d and "node_modules" not in d.split("/")]


def _descend(repo: RepoView, base: str, depth: int) -> list[str]:
    result = [base] if base else []
    if depth <= 0:
        return result
    prefix = f"{base}/" if base else ""
    for name in repo.list_dir(base or "."):
        if name != "node_modules" and not name.startswith(".") and repo.has_dir(f"{prefix}{name}"):
            result += _descend(repo, f"{prefix}{name}", depth - 1)
            if len(result) > MAX_MEMBERS:
                break
    return result


def find_workspace(repo: RepoView, root: PackageJson) -> Workspace | None:
    patterns, source = list(root.workspaces), "package.json workspaces"
    if not patterns and repo.has_file("pnpm-workspace.yaml"):
        patterns, source = _pnpm_patterns(repo), "pnpm-workspace.yaml"
    if not patterns:
        return None
    excluded = {p[1:] for p in patterns if p.startswith("!")}
    directories: list[str] = []
    for pattern in patterns:
        if pattern.startswith("!"):
            continue
        for directory in _expand(repo, pattern):
            if directory not in directories and directory not in excluded:
                directories.append(directory)
    members = [
        read_package_json(repo, f"{d}/package.json")
        for d in sorted(directories)[:MAX_MEMBERS]
        if repo.has_file(f"{d}/package.json")
    ]
    runner = next((name for file, name in TASK_RUNNERS if repo.has_file(file)), None)
    return Workspace(root=root, members=members, task_runner=runner, source=source)


def select_app(workspace: Workspace, member: str | None = None) -> tuple[PackageJson, str]:
    """The package the image runs, and why; `member` is the app's directory when it was chosen
    (the app's sub-directory of a monorepo)."""
    if member is not None:
        chosen = next((m for m in workspace.members if m.directory == member), None)
        if chosen is None:
            names = ", ".join(m.directory for m in workspace.members) or "none"
            raise NotAWorkspaceMember(
                f"{member} is not a member of the workspace ({workspace.source}; members: {names})"
            )
        return chosen, (
            f"runs the workspace member {member}, the app's sub-directory; installs and builds "
            "from the workspace root"
        )
    if "start" in workspace.root.scripts:
        return workspace.root, "the workspace root has a start script, so the image runs it"
    startable = [m for m in workspace.members if "start" in m.scripts]
    if len(startable) == 1:
        app = startable[0]
        return app, (
            f"runs the workspace member {app.directory} because it is the only one with a "
            "start script"
        )
    if not startable:
        return workspace.root, "no workspace member has a start script"
    names = ", ".join(m.directory for m in startable)
    return workspace.root, (
        f"several workspace members can start ({names}): add a start script to the root "
        "package.json or set KILN_START_CMD to pick one"
    )
