"""Deno: the binary comes from the npm registry (`@deno/linux-x64-glibc`), not from Debian.

The build stage is the catalog's Node build image (for npm); the binary is copied into the plain
runtime base beside the app. Versions resolve offline against the releases listed here.
"""

from __future__ import annotations

import json
import re
from typing import Any

from kiln.detect.provider import DetectContext, VersionRequest
from kiln.detect.repo import RepoView
from kiln.detect.tool_versions import pinned_tool
from kiln.detect.versions import Candidate, npm_range, resolve, to_tuple
from kiln.errors import CatalogError, ManifestError
from kiln.plan.model import BaseImages, BuildPlan, CacheMount

PORT = 8000
CONFIG_FILES = ("deno.json", "deno.jsonc")
ENTRY_FILES = ("main.ts", "main.js", "mod.ts", "server.ts", "index.ts", "src/main.ts")
NPM_PACKAGE = "@deno/linux-x64-glibc"
RELEASES = ("1.46.3", "2.0.6", "2.1.12", "2.2.15", "2.3.7", "2.4.4", "2.5.7", "2.6.8", "2.7.14",
            "2.8.3", "2.9.6")  # fmt: skip
"""The newest patch of each minor release the npm registry ships (1.46 is the first)."""
DEFAULT_LINE = "2.9"
DENO_HOME = "/opt/deno"
NPM_PREFIX = "/tmp/deno-npm"  # build stage only
_EXACT = re.compile(r"^v?\d+\.\d+\.\d+$")
_COMMENTS = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.DOTALL)
_TRAILING_COMMAS = re.compile(r'"(?:\\.|[^"\\])*"|,(?=\s*[}\]])')


def parse_jsonc(text: str, name: str) -> dict[str, Any]:
    """JSON with comments and trailing commas, as deno.jsonc allows."""

    def keep_strings(match: re.Match[str]) -> str:
        return match.group(0) if match.group(0).startswith('"') else ""

    stripped = _TRAILING_COMMAS.sub(keep_strings, _COMMENTS.sub(keep_strings, text))
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    if not isinstance(data, dict):
        raise ManifestError(f"{name} must hold a JSON object")
    return data


def _line(version: str) -> str:
    return ".".join(version.split(".")[:2])


class DenoProvider:
    name = "deno"

    def detect(self, repo: RepoView) -> bool:
        return repo.first_file(*CONFIG_FILES) is not None

    def plan(self, ctx: DetectContext) -> BuildPlan:
        repo = ctx.repo
        config_name = repo.first_file(*CONFIG_FILES) or "deno.json"
        config = parse_jsonc(repo.read_text(config_name), config_name)
        tasks = config.get("tasks", {})
        if not isinstance(tasks, dict):
            raise ManifestError(f"{config_name}: 'tasks' must be an object")
        plan = BuildPlan(provider=self.name, language="deno", port=PORT)
        plan.detected_files.append(config_name)
        release = self._release(ctx, plan)
        plan.language_version = _line(release)
        plan.bases = BaseImages(
            build=_node_build_image(ctx), runtime=ctx.catalog.runtime_base().pinned
        )
        plan.install = [
            f"npm install --no-save --no-audit --no-fund --prefix {NPM_PREFIX} "
            f"{NPM_PACKAGE}@{release}",
            f"mkdir -p {DENO_HOME}/bin",
            f"cp {NPM_PREFIX}/node_modules/{NPM_PACKAGE}/deno {DENO_HOME}/bin/deno",
            f"{DENO_HOME}/bin/deno --version",
        ]
        plan.caches = [CacheMount(id="npm", target="/root/.npm")]
        plan.explain(
            f"Debian ships no Deno: the build installs {NPM_PACKAGE}@{release} from the npm "
            "registry and the runtime image gets that one binary"
        )
        plan.env = {"DENO_DIR": f"{DENO_HOME}/cache", "DENO_NO_UPDATE_CHECK": "1",
                    "PATH": f"{DENO_HOME}/bin:$PATH"}  # fmt: skip
        plan.artifacts = [DENO_HOME, "/app"]

        entry = repo.first_file(*ENTRY_FILES)
        if isinstance(tasks.get("start"), str):
            plan.start = "deno task start"
            plan.explain(f"starts with the start task: {tasks['start']}")
        elif entry:
            plan.start = f"deno run --allow-all {entry}"
            plan.explain(f"starts `deno run` on {entry}, with every permission")
        else:
            plan.explain(
                f"no start command: add a start task to {config_name} or one of "
                + ", ".join(ENTRY_FILES)
            )
        if entry:
            plan.build = [f"deno cache {entry}"]
            plan.explain(f"caches {entry}'s imports at build time, so the runtime fetches nothing")
        return plan

    @staticmethod
    def _release(ctx: DetectContext, plan: BuildPlan) -> str:
        request = ctx.override_request(npm_range) or _version_request(ctx.repo)
        if request is not None and _EXACT.match(request.text):
            plan.explain(f"deno {request.text} because {request.source} pins that release")
            return request.text.removeprefix("v")
        candidates = [Candidate(_line(r), to_tuple(r) or (0, 0, 0)) for r in RELEASES]
        if request is None:
            plan.explain(f"deno {DEFAULT_LINE}: no version requested, the default")
            line = DEFAULT_LINE
        else:
            resolution = resolve(
                "deno", request.text, request.source, request.predicate, candidates
            )
            line = resolution.version
            plan.explain(
                resolution.note
                if resolution.satisfied
                else f"no Deno release kiln knows on the npm registry fits {request.text!r} from "
                f"{request.source} (lines {', '.join(c.line for c in candidates)}); "
                f"using the nearest, {line}"
            )
        return next(r for r in RELEASES if _line(r) == line)


def _version_request(repo: RepoView) -> VersionRequest | None:
    if repo.has_file(".dvmrc"):
        words = repo.read_text(".dvmrc").split()
        if words:
            return VersionRequest(words[0], ".dvmrc", npm_range(words[0].removeprefix("v")))
    pinned = pinned_tool(repo, "deno")
    if pinned is not None:
        return VersionRequest(pinned.version, pinned.source, npm_range(pinned.version))
    return None


def _node_build_image(ctx: DetectContext) -> str:
    """npm comes from the newest Node build image in the catalog."""
    builds = [
        e for e in ctx.catalog.versions("node") if ctx.catalog.find("node", e.version, "build")
    ]
    if not builds:
        raise CatalogError(
            f"the catalog ({ctx.catalog.source}) has no node build image to fetch Deno with",
            hint="run `kiln bases bootstrap`, or build from your own Dockerfile FROM a deno image",
        )
    newest = max(builds, key=lambda e: to_tuple(e.full_version or e.version) or (0, 0, 0))
    return next(
        image.pinned
        for image in ctx.catalog.images
        if image.language == "node" and image.version == newest.version and image.role == "build"
    )
