"""Elixir with Mix (Phoenix or not): compiled into a release that carries its own ERTS.

The release runs on the plain runtime base: no Elixir, no Mix, no compiler in the final image.
mix.exs is Elixir code; kiln reads the `project` keyword list and the `deps` list it documents
(`app: :name`, `elixir: "~> 1.14"`, `{:phoenix, "~> 1.7"}`), never a substring of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiln.detect.provider import DetectContext, VersionRequest
from kiln.detect.repo import RepoView
from kiln.detect.tool_versions import pinned_tool
from kiln.detect.version_ranges import mix_requirement, release_line
from kiln.errors import CatalogError, ManifestError
from kiln.plan.model import BaseImages, BuildPlan, CacheMount

PORT = 4000
DEFAULT_VERSION = "1.18"
_MODULE = re.compile(r"^\s*defmodule\s+[\w.]+\s+do\b", re.MULTILINE)
_PROJECT = re.compile(r"^\s*def\s+project\b", re.MULTILINE)
_APP = re.compile(r"\bapp:\s*:(\w+)")
_ELIXIR = re.compile(r"\belixir:\s*\"([^\"]+)\"")
_DEPS_DEF = re.compile(r"^([ \t]*)defp?\s+deps\b[^\n]*\bdo\s*$", re.MULTILINE)
_DEP = re.compile(r"\{\s*:(\w+)\s*,((?:[^{}]|\{[^{}]*\})*)\}")
_RELEASES = re.compile(r"\breleases:\s*\[\s*(\w+):")


@dataclass(frozen=True)
class MixProject:
    app: str
    elixir: str | None
    deps: dict[str, bool]
    """Dependency → whether it is needed in production (no `only:` without :prod)."""
    release: str


def _deps(text: str) -> dict[str, bool]:
    start = _DEPS_DEF.search(text)
    if start is None:
        return {}
    indent = start.group(1)
    end = re.compile(rf"^{indent}end\b", re.MULTILINE).search(text, start.end())
    if end is None:
        raise ManifestError("mix.exs: the deps function has no matching `end`")
    body = re.sub(r"#[^\n]*", "", text[start.end() : end.start()])
    deps: dict[str, bool] = {}
    for match in _DEP.finditer(body):
        only = re.search(r"\bonly:\s*(\[[^\]]*\]|:\w+)", match.group(2))
        deps[match.group(1)] = only is None or ":prod" in only.group(1)
    return deps


def parse_mix(text: str) -> MixProject:
    if not _MODULE.search(text) or not _PROJECT.search(text):
        raise ManifestError(
            "mix.exs has no `defmodule … do` with a `def project`: not a Mix project"
        )
    app = _APP.search(text)
    if app is None:
        raise ManifestError("mix.exs: the project has no `app: :name`")
    elixir = _ELIXIR.search(text)
    release = _RELEASES.search(text)
    return MixProject(
        app=app.group(1),
        elixir=elixir.group(1) if elixir else None,
        deps=_deps(text),
        release=release.group(1) if release else app.group(1),
    )


class ElixirProvider:
    name = "elixir"

    def detect(self, repo: RepoView) -> bool:
        return repo.has_file("mix.exs")

    def plan(self, ctx: DetectContext) -> BuildPlan:
        repo = ctx.repo
        project = parse_mix(repo.read_text("mix.exs"))
        plan = BuildPlan(provider=self.name, language="elixir", package_manager="mix", port=PORT)
        plan.detected_files.append("mix.exs")
        request = ctx.override_request(release_line) or _version_request(repo, project)
        version = ctx.choose_version(plan, "elixir", request, DEFAULT_VERSION)
        plan.language_version = version
        build = ctx.catalog.find("elixir", version, "build")
        if build is None:
            raise CatalogError(f"the catalog has no elixir {version} build image")
        # The release's ERTS is linked against the build's glibc: same Debian suite at run time.
        runtime = ctx.catalog.runtime_base(build.suite)
        plan.bases = BaseImages(build=build.pinned, runtime=runtime.pinned)
        plan.env = {"MIX_ENV": "prod"}

        plan.install_files = ["mix.exs"]
        if repo.has_file("mix.lock"):
            plan.install_files.append("mix.lock")
            plan.detected_files.append("mix.lock")
        prod_deps = sorted(name for name, prod in project.deps.items() if prod)
        if project.deps:
            plan.install = [
                "mix local.hex --force",
                "mix local.rebar --force",
                "mix deps.get --only prod",
            ]
            plan.caches = [CacheMount(id="hex", target="/root/.hex")]
            plan.explain(
                f"fetches {len(project.deps)} dependencies from hex.pm with `mix deps.get`"
            )
        else:
            plan.explain("no dependencies in mix.exs: nothing to fetch")

        plan.build = ["mix compile"]
        if "phoenix" in prod_deps:
            plan.framework = "phoenix"
            plan.port = PORT
            plan.runtime_env = {"PHX_SERVER": "true"}
            plan.explain("framework phoenix because mix.exs depends on :phoenix")
            if repo.has_dir("assets") and "assets.deploy" in repo.read_text("mix.exs"):
                plan.build.append("mix assets.deploy")
                plan.explain("builds assets with the project's `mix assets.deploy` alias")
            plan.explain("set SECRET_KEY_BASE (and PHX_HOST) at run time")
        release = f"/app/_build/prod/rel/{project.release}"
        plan.build.append("mix release --overwrite")
        plan.artifacts = [release]
        plan.start = f"{release}/bin/{project.release} start"
        plan.explain(
            f"a mix release ({project.release}) with its own ERTS, on the plain runtime base"
        )
        return plan


def _version_request(repo: RepoView, project: MixProject) -> VersionRequest | None:
    if repo.has_file(".elixir-version"):
        words = repo.read_text(".elixir-version").split()
        if words:
            return VersionRequest(words[0], ".elixir-version", release_line(words[0]))
    pinned = pinned_tool(repo, "elixir")
    if pinned is not None:
        text = pinned.version.split("-otp-")[0]
        return VersionRequest(pinned.version, pinned.source, release_line(text))
    if project.elixir is not None:
        return VersionRequest(project.elixir, "mix.exs elixir:", mix_requirement(project.elixir))
    return None
