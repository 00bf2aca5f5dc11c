"""The start command: a script's own command (the package manager is not in the runtime image).

`npm run x` / `yarn x` / `pnpm x` / `bun run x` inside the start script are replaced by script x,
and a `node FILE` that names no file in the repository is explained, not a crash.
"""

from __future__ import annotations

import re
import shlex

from kiln.detect.providers.node.manifest import PackageJson
from kiln.detect.repo import RepoView
from kiln.plan.model import BuildPlan

ENTRY_FILES = ("server.js", "index.js", "app.js", "main.js", "server.mjs", "index.mjs")
SHELL_OPERATORS = re.compile(r"[;&|<>()`\n]")
_RUN_SCRIPT = re.compile(r"^(?:npm run|npm|pnpm run|pnpm|yarn run|yarn|bun run)\s+([\w:.-]+)$")
MAX_INLINE = 3


def inline_script(scripts: dict[str, str], name: str) -> str:
    """The command of a script, following `npm run other`-style indirections a few times."""
    command = scripts[name]
    for _ in range(MAX_INLINE):
        match = _RUN_SCRIPT.match(command.strip())
        if match is None or match.group(1) not in scripts or match.group(1) in ("start",):
            break
        command = scripts[match.group(1)]
    return command


def _node_file(command: str) -> str | None:
    """The file `node [flags] FILE` (or `bun FILE`) runs, if the command is that simple."""
    if SHELL_OPERATORS.search(command):
        return None
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if not words or words[0] not in ("node", "bun", "tsx", "ts-node"):
        return None
    rest = [w for w in words[1:] if not w.startswith("-")]
    return rest[0] if rest and "=" not in rest[0] else None


def check_start_file(
    repo: RepoView, app: PackageJson, command: str, plan: BuildPlan, builds: bool
) -> None:
    """Explain a start command whose file is not in the repository."""
    file = _node_file(command)
    if file is None or file == "run":
        return
    prefix = f"{app.directory}/" if app.directory else ""
    relative = f"{prefix}{file.removeprefix('./')}"
    candidates = [relative] + [f"{relative}{ext}" for ext in (".js", ".mjs", ".cjs", "/index.js")]
    if any(repo.has_file(c) or repo.has_dir(c) for c in candidates):
        return
    if builds:
        plan.explain(
            f"the start command runs {relative}, which is not in the repository: "
            "the build step must create it"
        )
    else:
        plan.explain(
            f"warning: the start command runs {relative}, which is not in the repository "
            "and there is no build step to create it; the container will fail to start"
        )


def default_start(repo: RepoView, app: PackageJson, plan: BuildPlan) -> str | None:
    """`main` or a conventional entry file, when there is no start script."""
    prefix = f"{app.directory}/" if app.directory else ""
    if app.main is not None and repo.has_file(f"{prefix}{app.main}"):
        plan.explain(f"starts `node {app.main}` because {app.path} main names it")
        return f"node {app.main}"
    entry = next((name for name in ENTRY_FILES if repo.has_file(f"{prefix}{name}")), None)
    if entry is not None:
        plan.explain(
            f"starts `node {entry}` because {prefix}{entry} exists and there is no start script"
        )
        return f"node {entry}"
    return None


def in_directory(directory: str, command: str) -> str:
    """Run a command from a workspace member's directory, still as PID 1 when it is simple."""
    if not directory:
        return command
    inner = command if SHELL_OPERATORS.search(command) else f"exec {command}"
    return f"cd {shlex.quote(directory)} && {inner}"
