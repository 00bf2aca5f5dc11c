"""Which Node.js line to build with, in the precedence every provider uses.

overrides > the language's own pin files (`.nvmrc`, `.node-version`) > `.tool-versions` /
`mise.toml` > the manifest (`engines.node`, then `devEngines.runtime`) > the catalog default.
The first source that asks wins; the plan says which one, and which lower ones it outranked.
"""

from __future__ import annotations

import re

from kiln.detect.provider import DetectContext, VersionRequest
from kiln.detect.providers.node.manifest import PackageJson
from kiln.detect.tool_versions import pinned_tool
from kiln.detect.versions import Predicate, npm_range
from kiln.plan.model import BuildPlan

DEFAULT_VERSION = "20"
PIN_FILES = (".nvmrc", ".node-version")
_EXACT = re.compile(r"^(\d+)\.\d+\.\d+$")
LTS_CODENAMES = {
    "argon": "4", "boron": "6", "carbon": "8", "dubnium": "10", "erbium": "12",
    "fermium": "14", "gallium": "16", "hydrogen": "18", "iron": "20", "jod": "22",
    "krypton": "24",
}  # fmt: skip


def _normalise(text: str) -> str:
    """`v20.11.1` → `20.11.1`, `lts/iron` → `20`; other text is left for npm_range to judge."""
    text = text.strip()
    lowered = text.lower()
    if lowered.startswith("lts/") and lowered[4:] in LTS_CODENAMES:
        return LTS_CODENAMES[lowered[4:]]
    return text[1:] if lowered.startswith("v") and text[1:2].isdigit() else text


def _parse(text: str) -> Predicate | None:
    """An npm range; an exact version (`20.11.1`) means its major line, as images carry one."""
    normalised = _normalise(text)
    exact = _EXACT.match(normalised)
    return npm_range(exact.group(1) if exact else normalised)


def _request(text: str, source: str) -> VersionRequest:
    return VersionRequest(text, source, _parse(text))


def version_requests(ctx: DetectContext, manifest: PackageJson) -> list[VersionRequest]:
    """Every source that asks for a Node.js version, highest precedence first."""
    requests: list[VersionRequest] = []
    override = ctx.override_request(_parse)
    if override is not None:
        requests.append(override)
    repo = ctx.repo
    for pin in PIN_FILES:
        if repo.has_file(pin):
            lines = [line.split("#", 1)[0].strip() for line in repo.read_text(pin).splitlines()]
            first = next((line for line in lines if line), None)
            if first:
                requests.append(_request(first, pin))
    tool = pinned_tool(repo, "node", "nodejs")
    if tool is not None:
        requests.append(_request(tool.version, tool.source))
    if manifest.engines_node is not None:
        requests.append(_request(manifest.engines_node, f"{manifest.path} engines.node"))
    runtime = manifest.dev_runtime
    if runtime is not None and runtime.name == "node" and runtime.version:
        requests.append(_request(runtime.version, f"{manifest.path} devEngines.runtime"))
    return requests


def choose_node_version(ctx: DetectContext, plan: BuildPlan, manifest: PackageJson) -> str:
    requests = version_requests(ctx, manifest)
    chosen = requests[0] if requests else None
    version = ctx.choose_version(plan, "node", chosen, DEFAULT_VERSION)
    if len(requests) > 1:
        outranked = ", ".join(f"{r.source} ({r.text!r})" for r in requests[1:])
        plan.explain(
            f"{requests[0].source} outranks {outranked}: overrides > .nvmrc/.node-version > "
            ".tool-versions/mise.toml > engines.node/devEngines"
        )
    return version
