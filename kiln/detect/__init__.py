"""Detection: a repository in, a BuildPlan out. Pure: reads files only through RepoView."""

from __future__ import annotations

from pathlib import Path

from kiln.detect.overrides import Overrides, apply_commands
from kiln.detect.provider import DetectContext
from kiln.detect.providers import LOOKED_FOR, PROVIDERS, provider_named
from kiln.detect.repo import RepoView
from kiln.errors import DetectionError, UserError
from kiln.plan.bases import Catalog
from kiln.plan.model import BuildPlan


def detect(
    root: Path,
    catalog: Catalog,
    *,
    provider: str | None = None,
    overrides: Overrides | None = None,
) -> BuildPlan:
    """Plan the build of the project at `root`; `provider` (or the overrides) force a provider."""
    overrides = overrides or Overrides()
    return apply_commands(
        _detect(root, catalog, provider or overrides.provider, overrides), overrides
    )


def _detect(root: Path, catalog: Catalog, provider: str | None, overrides: Overrides) -> BuildPlan:
    repo = RepoView(root)
    ctx = DetectContext(
        repo=repo,
        catalog=catalog,
        version_override=overrides.language_version,
        dockerfile_override=overrides.dockerfile_path,
    )
    if overrides.dockerfile_path is not None:
        provider = provider or "dockerfile"
    if provider is not None:
        forced = provider_named(provider)
        if forced is None:
            names = ", ".join(p.name for p in PROVIDERS)
            raise UserError(f"unknown provider {provider!r}; choose one of {names}")
        plan = forced.plan(ctx)
        plan.explanations.insert(0, f"provider {provider} was chosen by the user")
        return plan
    for candidate in PROVIDERS:
        if candidate.detect(repo):
            return candidate.plan(ctx)
    raise DetectionError(
        "could not detect the project type: add a Dockerfile or one of "
        + ", ".join(LOOKED_FOR[1:]),
        hint="or set a start command, or pick a provider with --provider",
    )
