"""Versions pinned for every language at once: asdf's `.tool-versions` and mise's `mise.toml`.

Providers ask `pinned_tool(repo, "node", "nodejs")` after their own pin files; the answer says
which file it came from, so the plan can explain it.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiln.detect.repo import RepoView
from kiln.errors import ManifestError

MISE_FILES = ("mise.toml", ".mise.toml")


@dataclass(frozen=True)
class PinnedTool:
    version: str
    source: str


def _from_tool_versions(repo: RepoView, names: tuple[str, ...]) -> PinnedTool | None:
    if not repo.has_file(".tool-versions"):
        return None
    for line in repo.read_text(".tool-versions").splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 2 and fields[0] in names:
            return PinnedTool(fields[1], f".tool-versions ({fields[0]})")
    return None


def _from_mise(repo: RepoView, names: tuple[str, ...]) -> PinnedTool | None:
    for file in MISE_FILES:
        if not repo.has_file(file):
            continue
        tools = repo.read_toml(file).get("tools", {})
        if not isinstance(tools, dict):
            raise ManifestError(f"{file}: [tools] must be a table")
        for name in names:
            value = tools.get(name)
            if isinstance(value, list) and value:
                value = value[0]
            if isinstance(value, dict):
                value = value.get("version")
            if isinstance(value, str | int | float):
                return PinnedTool(str(value), f"{file} (tools.{name})")
    return None


def pinned_tool(repo: RepoView, *names: str) -> PinnedTool | None:
    """The version `.tool-versions` or `mise.toml` pins for a tool known by any of `names`."""
    return _from_tool_versions(repo, names) or _from_mise(repo, names)
