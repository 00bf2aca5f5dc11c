"""`kiln bases bootstrap`: build every recipe's image, push it, write the catalog.

Idempotent: each image is also tagged with its recipe key; when that tag is already in the
registry the image is not rebuilt, only re-tagged and re-recorded.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kiln.baseimages.recipes import RECIPES, Recipe
from kiln.baseimages.rootfs import apt_sources, make_rootfs
from kiln.config import Settings
from kiln.engines.base import BuildRequest, Engine
from kiln.errors import RegistryError, UserError
from kiln.logs.reporter import Reporter
from kiln.plan.bases import Catalog, CatalogImage, save_catalog
from kiln.refs import ImageRef, parse_image_ref, uses_plain_http
from kiln.registry.client import RegistryClient

FULL_VERSION_LABEL = "dev.kiln.base.full-version"
KEY_LABEL = "dev.kiln.base.recipe-key"
IMAGE_DOCKERFILE = """\
FROM scratch
ADD rootfs.tar /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
CMD ["/bin/sh"]
"""


@dataclass(frozen=True)
class BootstrapTarget:
    registry: str
    prefix: str

    def image(self, recipe: Recipe, tag: str) -> ImageRef:
        return ImageRef(self.registry, f"{self.prefix}/{recipe.repository}", tag)


def parse_target(text: str) -> BootstrapTarget:
    """`HOST[:PORT]/PREFIX` → a target; the prefix is validated as a repository path."""
    if "/" not in text.strip("/"):
        raise UserError(f"{text!r}: expected HOST[:PORT]/PREFIX, e.g. 127.0.0.1:5000/kiln")
    probe = parse_image_ref(f"{text.rstrip('/')}/probe:tag")
    return BootstrapTarget(probe.registry, probe.repository.removesuffix("/probe"))


@dataclass(frozen=True)
class BootstrapOutcome:
    catalog: Catalog
    built: list[str]
    reused: list[str]


async def bootstrap(
    settings: Settings,
    target: BootstrapTarget,
    engine: Engine,
    report: Reporter,
    *,
    refresh: bool = False,
    recipes: tuple[Recipe, ...] = RECIPES,
    concurrency: int = 3,
) -> BootstrapOutcome:
    """Ensure every recipe's image is in the registry (`concurrency` built at a time), then
    write the catalog in recipe order."""
    plain = uses_plain_http(target.registry, settings.insecure_registries)
    insecure = frozenset({target.registry}) if plain else frozenset()
    limit = asyncio.Semaphore(max(1, concurrency))

    async def one(recipe: Recipe, client: RegistryClient) -> tuple[CatalogImage, bool]:
        async with limit:
            return await _ensure(
                recipe, settings, target, client, insecure, engine, report, refresh
            )

    async with RegistryClient(target.registry, plain_http=plain) as client:
        await client.ping()
        outcomes = await asyncio.gather(*(one(recipe, client) for recipe in recipes))
    images = [image for image, _ in outcomes]
    built = [image.image for image, was_built in outcomes if was_built]
    reused = [image.image for image, was_built in outcomes if not was_built]
    catalog = Catalog(source=f"bootstrap:{target.registry}/{target.prefix}", images=images)
    save_catalog(catalog, settings.catalog_path)
    return BootstrapOutcome(catalog, built, reused)


async def _ensure(
    recipe: Recipe,
    settings: Settings,
    target: BootstrapTarget,
    client: RegistryClient,
    insecure: frozenset[str],
    engine: Engine,
    report: Reporter,
    refresh: bool,
) -> tuple[CatalogImage, bool]:
    """The recipe's catalog entry, building and pushing the image unless its key is there."""
    sources = apt_sources(settings.debian_mirror, settings.debian_security_mirror, recipe.suite)
    key = recipe.key(sources)
    keyed = target.image(recipe, f"{recipe.tag}-{key[:12]}")
    friendly = target.image(recipe, recipe.tag)
    name = f"{recipe.language} {recipe.version} {recipe.role}"
    log = Reporter(lambda line: report.log(f"[{name}] {line}"))
    digest = None if refresh else await client.manifest_digest(keyed.repository, keyed.tag or "")
    was_built = digest is None
    if digest is not None:
        log.log(f"{friendly}: up to date ({keyed.tag})")
        if await client.manifest_digest(friendly.repository, recipe.tag) != digest:
            await client.tag_manifest(friendly.repository, digest, recipe.tag)
    else:
        log.log(f"building {friendly}")
        digest = await _build(recipe, sources, key, [keyed, friendly], insecure, engine, log)
        log.log(f"pushed {friendly} ({digest})")
    labels = await client.image_labels(friendly.repository, digest)
    image = CatalogImage(
        language=recipe.language,
        version=recipe.version,
        full_version=labels.get(FULL_VERSION_LABEL) or None,
        role=recipe.role,
        image=str(friendly),
        digest=digest,
        suite=recipe.suite,
        packages=list(recipe.packages),
        serve=recipe.serve,
    )
    return image, was_built


async def _build(
    recipe: Recipe,
    sources: list[str],
    key: str,
    tags: list[ImageRef],
    insecure: frozenset[str],
    engine: Engine,
    report: Reporter,
) -> str:
    with tempfile.TemporaryDirectory(prefix="kiln-base-") as scratch:
        context = Path(scratch)
        _, full_version = await make_rootfs(recipe, sources, context, report.log)
        dockerfile = context / "Dockerfile"
        dockerfile.write_text(IMAGE_DOCKERFILE)
        labels = {
            KEY_LABEL: key,
            "org.opencontainers.image.description": f"kiln {recipe.language} "
            f"{recipe.version} {recipe.role} base ({recipe.suite})",
        }
        if full_version:
            labels[FULL_VERSION_LABEL] = full_version
        result = await engine.build(
            BuildRequest(
                context_dir=context, dockerfile=dockerfile, tags=tags, push=True,
                insecure_registries=insecure, labels=labels,
            ),
            Reporter(report.log),
        )  # fmt: skip
    if result.digest is None:
        raise RegistryError(f"pushing {tags[0]} produced no digest")
    return result.digest
