"""`kiln bases bootstrap` against a real registry: idempotent, and the catalog is usable."""

from __future__ import annotations

import asyncio

import pytest

from kiln.baseimages.bootstrap import BootstrapTarget, bootstrap
from kiln.config import Settings
from kiln.logs.reporter import Reporter
from kiln.pipeline.build import default_engine, registry_client
from kiln.plan.bases import Catalog, load_catalog
from tests.support.servers import Registry

pytestmark = pytest.mark.integration


def test_second_bootstrap_rebuilds_nothing(settings: Settings, registry: Registry) -> None:
    before = Catalog.model_validate_json(settings.catalog_path.read_text())  # as written
    lines: list[str] = []
    outcome = asyncio.run(
        bootstrap(
            settings,
            BootstrapTarget(registry.address, "kiln"),
            default_engine(settings),
            Reporter(lines.append),
        )
    )
    assert outcome.built == []
    assert len(outcome.reused) == len(before.images)
    assert outcome.catalog == before
    assert not any("mmdebstrap" in line or "STEP" in line for line in lines)


def test_catalog_images_are_pinned_and_present(settings: Settings, registry: Registry) -> None:
    catalog = load_catalog(settings.catalog_path)
    assert catalog.source == f"bootstrap:{registry.address}/kiln"
    versions = {(i.language, i.version): i.full_version for i in catalog.images}
    assert versions[("node", "20")] is not None and versions[("node", "20")].startswith("20.")
    assert versions[("python", "3.13")] is not None and versions[("python", "3.13")].startswith(
        "3.13"
    )

    # Languages no reachable registry ships are added on load, marked, without an image.
    provided = [i for i in catalog.images if i.user_provided]
    assert {i.language for i in provided} == {"dotnet", "gleam"}
    assert all(i.digest is None for i in provided)

    async def check() -> None:
        async with registry_client(settings, registry.address) as client:
            for image in (i for i in catalog.images if not i.user_provided):
                assert image.digest is not None
                repository = image.image.split("/", 1)[1].rsplit(":", 1)[0]
                assert await client.manifest_digest(repository, image.digest) == image.digest

    asyncio.run(check())
