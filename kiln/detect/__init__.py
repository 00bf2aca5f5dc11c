"""Detection: a repository in, a BuildPlan out. Pure: reads files only through RepoView.

Order of decisions: the override layers are merged (options > KILN_* > kiln.toml >
railpack.json), a provider is forced or detected, the Procfile's `web:` line replaces the
detected start command, then the merged overrides replace whatever they set.
"""

from __future__ import annotations

from pathlib import Path

from kiln.detect.kiln_toml import kiln_toml_layer
from kiln.detect.overrides import (
    MergedOverrides,
    OverrideLayer,
    Overrides,
    apply_overrides,
    merge,
)
from kiln.detect.procfile import missing_scripts, procfile_notes, read_procfile
from kiln.detect.provider import DetectContext
from kiln.detect.providers import LOOKED_FOR, PROVIDERS, provider_named
from kiln.detect.railpack import railpack_layer
from kiln.detect.repo import RepoView
from kiln.errors import DetectionError, UserError
from kiln.plan.bases import Catalog
from kiln.plan.model import BaseImages, BuildPlan

OPTIONS = "the overrides"
"""The API/CLI options (and an app's stored overrides): the highest layer."""
ENVIRONMENT = "KILN_* variables"


def detect(
    root: Path,
    catalog: Catalog,
    *,
    provider: str | None = None,
    overrides: Overrides | None = None,
    env_overrides: Overrides | None = None,
    member: str | None = None,
) -> BuildPlan:
    """Plan the build of the project at `root`.

    `provider` and `overrides` are the API/CLI options (the highest layer), `env_overrides` the
    KILN_* build variables; the repository's kiln.toml and railpack.json come below them.
    `member`: `root` is a workspace root and the app is its member in that directory.
    """
    repo = RepoView(root)
    options = (overrides or Overrides()).merged(Overrides(provider=provider))
    layers = [
        OverrideLayer(OPTIONS, options),
        OverrideLayer(ENVIRONMENT, env_overrides or Overrides()),
    ]
    kiln_toml = kiln_toml_layer(repo)
    if kiln_toml is not None:
        layers.append(kiln_toml)
    railpack = railpack_layer(repo)
    if railpack is not None:
        layers.append(railpack.layer)
    merged = merge(layers)
    plan = _detect(repo, catalog, merged, member)
    if railpack is not None:
        plan.explanations += railpack.notes
        plan.detected_files.append("railpack.json")
    if kiln_toml is not None:
        plan.detected_files.append("kiln.toml")
    _apply_procfile(repo, plan)
    apply_overrides(plan, merged)
    if plan.start and plan.provider != "dockerfile":
        for script in missing_scripts(repo, plan.start):
            plan.explain(
                f"warning: the start command runs {script}, which is not in the repository"
            )
    return plan


def _apply_procfile(repo: RepoView, plan: BuildPlan) -> None:
    procfile = read_procfile(repo)
    if procfile is None or plan.provider == "dockerfile":
        return
    plan.detected_files.append("Procfile")
    if procfile.web is not None:
        plan.start = procfile.web
        plan.explain(f"start command from the Procfile's web process: {procfile.web}")
    else:
        plan.explain("the Procfile has no web process, so it does not set the start command")
    plan.explanations += procfile_notes(procfile)


def _detect(
    repo: RepoView, catalog: Catalog, merged: MergedOverrides, member: str | None
) -> BuildPlan:
    values = merged.values
    ctx = DetectContext(
        member=member,
        repo=repo,
        catalog=catalog,
        version_override=values.language_version,
        dockerfile_override=values.dockerfile_path,
        version_source=merged.source("language_version"),
    )
    provider = values.provider
    if values.dockerfile_path is not None:
        provider = provider or "dockerfile"
    if provider is not None:
        forced = provider_named(provider)
        if forced is None:
            names = ", ".join(p.name for p in PROVIDERS)
            raise UserError(f"unknown provider {provider!r}; choose one of {names}")
        plan = forced.plan(ctx)
        source = merged.source("provider")
        chooser = "the user" if source == OPTIONS else source
        plan.explanations.insert(0, f"provider {provider} was chosen by {chooser}")
        return plan
    for candidate in PROVIDERS:
        if candidate.detect(repo):
            return candidate.plan(ctx)
    procfile = read_procfile(repo)
    if values.start_cmd is not None or (procfile is not None and procfile.web is not None):
        return _command_only(catalog)
    raise DetectionError(
        "could not detect the project type: looked for "
        + ", ".join(LOOKED_FOR)
        + ". Three ways out: add a Dockerfile; set a start command (a Procfile `web:` line, "
        "kiln.toml `start`, KILN_START_CMD or the app's start_cmd) to run the files as they are; "
        "or pick a provider (--provider, KILN_PROVIDER, kiln.toml `provider`)"
    )


def _command_only(catalog: Catalog) -> BuildPlan:
    """No language detected, but a start command given: the files on the plain runtime base."""
    plan = BuildPlan(provider="command", artifacts=[])
    plan.bases = BaseImages(build=None, runtime=catalog.runtime_base().pinned)
    plan.explain(
        "no language detected; the repository's files run on the plain runtime base "
        "with the start command given"
    )
    return plan
