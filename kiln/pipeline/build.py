"""The build step: stage the context, render the Dockerfile, run the engine, verify the push.

Shared by `kiln build` (pipeline/local.py) and the service's build activity.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kiln.config import Settings
from kiln.engines.base import BuildRequest, Engine
from kiln.engines.buildah import BuildahEngine
from kiln.engines.buildkit import BuildKitEngine, BuildKitPool
from kiln.errors import RegistryError, UserError
from kiln.logs.reporter import Reporter
from kiln.pipeline.context import stage_context
from kiln.plan.bases import load_catalog
from kiln.plan.dockerfile import CA_SECRET_ID, SECRETS_HASH_ARG, render
from kiln.plan.model import BuildPlan
from kiln.refs import ImageRef, uses_plain_http
from kiln.registry.connect import connect
from kiln.registry.credentials import Credentials

BASE_RUNTIME_ARG = "KILN_BASE_RUNTIME"
PLAN_LABEL = "dev.kiln.plan-hash"
REVISION_LABEL = "org.opencontainers.image.revision"


@dataclass(frozen=True)
class ImageBuild:
    source_dir: Path
    plan: BuildPlan
    tags: list[ImageRef]
    """The first tag is verified in the registry; all are pushed."""
    push: bool
    labels: dict[str, str] = field(default_factory=dict)
    credentials: dict[str, Credentials] = field(default_factory=dict)
    """Registry host → credentials, for pulls and pushes (never on a command line)."""
    build_secrets: dict[str, str] = field(default_factory=dict, repr=False)
    """Secret name → value, mounted into RUN steps as files (never ARG/ENV, never a layer)."""
    secrets_hash: str | None = None
    """A keyed hash of the secret values, passed as KILN_SECRETS_HASH (cache invalidation)."""
    cache_namespace: str | None = None
    """Whose cache mounts these are (the workspace slug); None: the image's repository."""


@dataclass(frozen=True)
class BuiltImage:
    image_id: str
    digest: str | None
    size_bytes: int | None


def default_engine(settings: Settings) -> Engine:
    if settings.engine == "buildkit":
        return BuildKitPool(
            settings.buildkit_host,
            engine_for=lambda host: BuildKitEngine(host, cache_tag=settings.buildkit_cache_tag),
            affinity_slack=settings.buildkit_affinity_slack,
        )
    return BuildahEngine(
        storage_driver=settings.buildah_storage_driver,
        runtime=settings.buildah_runtime,
        network=settings.build_network,
        storage_root=settings.buildah_root,
    )


registry_client = connect


def dockerfile_text(settings: Settings, source: Path, plan: BuildPlan) -> str:
    """The Dockerfile kiln would build: the repository's own, or one rendered from the plan."""
    if plan.dockerfile is not None:
        return (source / plan.dockerfile).read_text()
    return render(plan, with_ca=settings.ca_bundle() is not None)


def image_labels(plan: BuildPlan, source_url: str | None, revision: str | None) -> dict[str, str]:
    labels = {
        "org.opencontainers.image.created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "dev.kiln.provider": plan.provider,
        PLAN_LABEL: plan.fingerprint(),
    }
    if source_url:
        labels["org.opencontainers.image.source"] = source_url
    if revision:
        labels[REVISION_LABEL] = revision
    return labels


def _base_images(settings: Settings, plan: BuildPlan) -> list[str]:
    """The images the build pulls: the plan's bases, or the catalog's runtime for a Dockerfile."""
    if plan.bases is not None:
        return [image for image in (plan.bases.build, plan.bases.runtime) if image is not None]
    return [load_catalog(settings.catalog_path).runtime_base().pinned]


def _insecure(settings: Settings, bases: list[str], target: ImageRef) -> frozenset[str]:
    names = [target.registry, *(image.split("/", 1)[0] for image in bases if "/" in image)]
    return frozenset(n for n in names if uses_plain_http(n, settings.insecure_registries))


def _write_secrets(directory: Path, values: dict[str, str]) -> dict[str, Path]:
    """Each secret in a file only we can read, removed with the build's scratch directory."""
    directory.mkdir(mode=0o700)
    files: dict[str, Path] = {}
    for name, value in values.items():
        path = directory / name
        path.touch(mode=0o600)
        path.write_text(value)
        files[name] = path
    return files


def context_of(source_dir: Path, plan: BuildPlan) -> Path:
    """The directory the image is built from: the app's, or its workspace root above it."""
    context = (source_dir / plan.context).resolve()
    if context != source_dir.resolve() and context not in source_dir.resolve().parents:
        raise UserError(f"the plan's build context {plan.context!r} is not above the app")
    return context


async def build_image(
    settings: Settings, request: ImageBuild, report: Reporter, engine: Engine
) -> BuiltImage:
    plan = request.plan
    source_dir = context_of(request.source_dir, plan)
    dockerfile = dockerfile_text(settings, source_dir, plan)
    ca_bundle = settings.ca_bundle()
    bases = _base_images(settings, plan)
    primary = request.tags[0]
    # A Dockerfile project may use the catalog's runtime base: `ARG KILN_BASE_RUNTIME`.
    build_args = {BASE_RUNTIME_ARG: bases[-1]} if plan.dockerfile is not None else {}
    if request.secrets_hash:
        build_args[SECRETS_HASH_ARG] = request.secrets_hash
    with tempfile.TemporaryDirectory(prefix="kiln-build-") as scratch:
        secret_files = _write_secrets(Path(scratch) / "secrets", request.build_secrets)
        if ca_bundle:
            secret_files[CA_SECRET_ID] = ca_bundle
        context_dir = Path(scratch) / "context"
        files = stage_context(source_dir, context_dir)
        report.log(f"context: {files} files staged")
        dockerfile_path = Path(scratch) / "Dockerfile"
        dockerfile_path.write_text(dockerfile)
        report.step("build")
        result = await engine.build(
            BuildRequest(
                context_dir=context_dir,
                dockerfile=dockerfile_path,
                tags=request.tags,
                push=request.push,
                insecure_registries=_insecure(settings, bases, primary),
                build_args=build_args,
                labels=request.labels,
                annotations=request.labels,
                secrets=secret_files,
                cache_namespace=request.cache_namespace,
                credentials={
                    host: (c.username, c.password) for host, c in request.credentials.items()
                },
            ),
            report,
        )
    if not request.push:
        return BuiltImage(result.image_id, None, None)
    report.step("verify")
    async with registry_client(
        settings, primary.registry, request.credentials.get(primary.registry)
    ) as client:
        digest = await client.manifest_digest(primary.repository, primary.reference)
        if digest is None:
            raise RegistryError(f"{primary} is not in the registry after the push")
        if result.digest is not None and digest != result.digest:
            raise RegistryError(
                f"the registry reports {digest} for {primary}, the push wrote {result.digest}"
            )
        size = await client.image_size(primary.repository, digest)
    return BuiltImage(result.image_id, digest, size)
