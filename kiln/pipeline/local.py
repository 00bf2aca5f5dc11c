"""Run the whole pipeline in-process on a local directory: what `kiln build` does.

detect → check the registry → build (stage, render, engine, push) → verify in the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiln.config import Settings
from kiln.detect import detect
from kiln.detect.overrides import Overrides
from kiln.engines.base import Engine
from kiln.errors import UserError
from kiln.logs.reporter import Reporter
from kiln.pipeline.build import (
    ImageBuild,
    build_image,
    default_engine,
    dockerfile_text,
    image_labels,
    registry_client,
)
from kiln.plan.bases import load_catalog
from kiln.plan.model import BuildPlan
from kiln.refs import ImageRef, parse_image_ref


@dataclass(frozen=True)
class LocalBuild:
    source_dir: Path
    image: ImageRef
    push: bool = False
    provider: str | None = None
    source_url: str | None = None
    env_overrides: Overrides | None = None
    """The KILN_* build variables (`overrides_from_env`), below the options."""
    revision: str | None = None


@dataclass(frozen=True)
class LocalBuildResult:
    plan: BuildPlan
    image: ImageRef
    image_id: str
    digest: str | None
    """The digest the registry reports for the pushed tag."""
    size_bytes: int | None


def plan_directory(
    settings: Settings,
    source: Path,
    provider: str | None = None,
    env_overrides: Overrides | None = None,
) -> BuildPlan:
    return detect(
        source, load_catalog(settings.catalog_path), provider=provider, env_overrides=env_overrides
    )


async def build_local(
    settings: Settings, request: LocalBuild, report: Reporter, engine: Engine | None = None
) -> LocalBuildResult:
    report.step("detect")
    plan = plan_directory(settings, request.source_dir, request.provider, request.env_overrides)
    for sentence in plan.explanations:
        report.log(f"plan: {sentence}")
    dockerfile_text(settings, request.source_dir, plan)  # a plan that cannot render fails here
    if request.push:
        report.step("check registry")
        async with registry_client(settings, request.image.registry) as client:
            await client.ping()
    built = await build_image(
        settings,
        ImageBuild(
            source_dir=request.source_dir,
            plan=plan,
            tags=[request.image],
            push=request.push,
            labels=image_labels(plan, request.source_url, request.revision),
        ),
        report,
        engine or default_engine(settings),
    )
    return LocalBuildResult(plan, request.image, built.image_id, built.digest, built.size_bytes)


def parse_target(text: str) -> ImageRef:
    image = parse_image_ref(text)
    if image.digest is not None:
        raise UserError(f"{text}: name the image by tag, not digest; the digest is the result")
    return image if image.tag else image.with_tag("latest")
