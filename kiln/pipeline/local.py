"""Run the whole pipeline in-process on a local directory: what `kiln build` does.

detect → stage the context → render the Dockerfile → engine build (+ push) → verify in registry.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kiln.config import Settings
from kiln.detect import detect
from kiln.engines.base import BuildRequest, Engine
from kiln.engines.buildah import BuildahEngine
from kiln.errors import RegistryError, UserError
from kiln.logs.reporter import Reporter
from kiln.pipeline.context import stage_context
from kiln.plan.bases import load_catalog
from kiln.plan.dockerfile import CA_SECRET_ID, render
from kiln.plan.model import BuildPlan
from kiln.refs import ImageRef, parse_image_ref, uses_plain_http
from kiln.registry.client import RegistryClient

BASE_RUNTIME_ARG = "KILN_BASE_RUNTIME"


@dataclass(frozen=True)
class LocalBuild:
    source_dir: Path
    image: ImageRef
    push: bool = False
    provider: str | None = None
    source_url: str | None = None
    revision: str | None = None


@dataclass(frozen=True)
class LocalBuildResult:
    plan: BuildPlan
    image: ImageRef
    image_id: str
    digest: str | None
    """The digest the registry reports for the pushed tag."""
    size_bytes: int | None


def default_engine(settings: Settings) -> Engine:
    return BuildahEngine(
        storage_driver=settings.buildah_storage_driver,
        runtime=settings.buildah_runtime,
        network=settings.build_network,
    )


def plan_directory(settings: Settings, source: Path, provider: str | None = None) -> BuildPlan:
    return detect(source, load_catalog(settings.catalog_path), provider=provider)


def dockerfile_text(settings: Settings, source: Path, plan: BuildPlan) -> str:
    """The Dockerfile kiln would build: the repository's own, or one rendered from the plan."""
    if plan.dockerfile is not None:
        return (source / plan.dockerfile).read_text()
    return render(plan, with_ca=settings.ca_bundle() is not None)


def registry_client(settings: Settings, registry: str) -> RegistryClient:
    return RegistryClient(
        registry, plain_http=uses_plain_http(registry, settings.insecure_registries)
    )


def _base_images(settings: Settings, plan: BuildPlan) -> list[str]:
    """The images the build pulls: the plan's bases, or the catalog's runtime for a Dockerfile."""
    if plan.bases is not None:
        return [image for image in (plan.bases.build, plan.bases.runtime) if image is not None]
    return [load_catalog(settings.catalog_path).runtime_base().pinned]


def _insecure_registries(settings: Settings, bases: list[str], target: ImageRef) -> frozenset[str]:
    names = [target.registry, *(image.split("/", 1)[0] for image in bases if "/" in image)]
    return frozenset(n for n in names if uses_plain_http(n, settings.insecure_registries))


def _labels(request: LocalBuild, plan: BuildPlan) -> dict[str, str]:
    labels = {
        "org.opencontainers.image.created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "dev.kiln.provider": plan.provider,
    }
    if request.source_url:
        labels["org.opencontainers.image.source"] = request.source_url
    if request.revision:
        labels["org.opencontainers.image.revision"] = request.revision
    return labels


async def build_local(
    settings: Settings, request: LocalBuild, report: Reporter, engine: Engine | None = None
) -> LocalBuildResult:
    engine = engine or default_engine(settings)
    report.step("detect")
    plan = plan_directory(settings, request.source_dir, request.provider)
    for sentence in plan.explanations:
        report.log(f"plan: {sentence}")
    dockerfile = dockerfile_text(settings, request.source_dir, plan)

    if request.push:
        report.step("check registry")
        async with registry_client(settings, request.image.registry) as client:
            await client.ping()

    ca_bundle = settings.ca_bundle()
    labels = _labels(request, plan)
    bases = _base_images(settings, plan)
    # A Dockerfile project may use the catalog's runtime base: `ARG KILN_BASE_RUNTIME`.
    build_args = {BASE_RUNTIME_ARG: bases[-1]} if plan.dockerfile is not None else {}
    with tempfile.TemporaryDirectory(prefix="kiln-build-") as scratch:
        context_dir = Path(scratch) / "context"
        files = stage_context(request.source_dir, context_dir)
        report.log(f"context: {files} files staged")
        dockerfile_path = Path(scratch) / "Dockerfile"
        dockerfile_path.write_text(dockerfile)
        report.step("build")
        result = await engine.build(
            BuildRequest(
                context_dir=context_dir,
                dockerfile=dockerfile_path,
                tags=[request.image],
                push=request.push,
                insecure_registries=_insecure_registries(settings, bases, request.image),
                build_args=build_args,
                labels=labels,
                annotations=labels,
                secrets={CA_SECRET_ID: ca_bundle} if ca_bundle else {},
            ),
            report.log,
        )
    if not request.push:
        return LocalBuildResult(plan, request.image, result.image_id, None, None)

    report.step("verify")
    async with registry_client(settings, request.image.registry) as client:
        digest = await client.manifest_digest(request.image.repository, request.image.reference)
        if digest is None:
            raise RegistryError(f"{request.image} is not in the registry after the push")
        if result.digest is not None and digest != result.digest:
            raise RegistryError(
                f"the registry reports {digest} for {request.image}, the push wrote {result.digest}"
            )
        size = await client.image_size(request.image.repository, digest)
    return LocalBuildResult(plan, request.image, result.image_id, digest, size)


def parse_target(text: str) -> ImageRef:
    image = parse_image_ref(text)
    if image.digest is not None:
        raise UserError(f"{text}: name the image by tag, not digest; the digest is the result")
    return image if image.tag else image.with_tag("latest")
