"""The Provider protocol and the context every provider plans with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from kiln.detect.repo import RepoView
from kiln.detect.versions import Candidate, Predicate, resolve, to_tuple
from kiln.errors import CatalogError
from kiln.plan.bases import Catalog
from kiln.plan.model import BaseImages, BuildPlan


@dataclass(frozen=True)
class VersionRequest:
    """A version asked for by one file of the repository (or an override)."""

    text: str
    source: str
    predicate: Predicate | None


@dataclass
class DetectContext:
    repo: RepoView
    catalog: Catalog
    version_override: str | None = None
    dockerfile_override: str | None = None
    version_source: str = "the overrides"
    member: str | None = None
    """The app's directory inside a workspace whose root is being planned (a monorepo app)."""

    def override_request(self, parse: Callable[[str], Predicate | None]) -> VersionRequest | None:
        """The version the user asked for, which wins over every file of the repository."""
        if self.version_override is None:
            return None
        return VersionRequest(
            self.version_override, self.version_source, parse(self.version_override)
        )

    def choose_version(
        self, plan: BuildPlan, language: str, request: VersionRequest | None, default: str
    ) -> str:
        """Resolve a request against the catalog, record the reason on the plan, return the line."""
        candidates = [
            Candidate(entry.version, to_tuple(entry.full_version or entry.version) or (0, 0, 0))
            for entry in self.catalog.versions(language)
        ]
        if not candidates:
            raise CatalogError(
                f"the base-image catalog ({self.catalog.source}) has no {language} images",
                hint="run `kiln bases bootstrap` or add them to the catalog",
            )
        if request is None:
            lines = [c.line for c in candidates]
            chosen = default if default in lines else max(candidates, key=lambda c: c.full).line
            plan.explain(f"{language} {chosen}: no version requested, the default")
            return chosen
        resolution = resolve(language, request.text, request.source, request.predicate, candidates)
        plan.explain(resolution.note)
        return resolution.version

    def use_bases(self, plan: BuildPlan, language: str, version: str, *, slim: bool) -> None:
        """Set the build image from the language's line and the runtime image.

        `slim` means the runtime needs no language runtime (a static binary): the plain base.
        """
        build = self.catalog.find(language, version, "build")
        if build is None:
            raise CatalogError(f"the catalog has no {language} {version} build image")
        runtime = (
            self.catalog.runtime_base() if slim else self.catalog.find(language, version, "runtime")
        )
        if runtime is None:
            raise CatalogError(f"the catalog has no {language} {version} runtime image")
        plan.bases = BaseImages(build=build.pinned, runtime=runtime.pinned)


class Provider(Protocol):
    """One kind of project. `detect` is cheap (file existence); `plan` reads what it needs."""

    name: str

    def detect(self, repo: RepoView) -> bool: ...

    def plan(self, ctx: DetectContext) -> BuildPlan: ...
