"""The service under test: real Temporal dev server, real store (SQLite and PostgreSQL), real
registry and buildah; one task queue per test."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from kiln.config import Settings
from tests.support.postgres import fresh_database, postgres_server
from tests.support.service import RunningService, running_service
from tests.support.temporal import temporal_dev_server


@pytest.fixture(scope="session")
def temporal_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with temporal_dev_server(tmp_path_factory.mktemp("temporal")) as address:
        yield address


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kiln.db'}"
    return fresh_database(request.getfixturevalue("postgres"))


@pytest.fixture
async def service(
    settings: Settings, temporal_address: str, database_url: str, tmp_path: Path
) -> AsyncIterator[RunningService]:
    data_dir = tmp_path / "data"
    (data_dir / "bases").mkdir(parents=True)
    shutil.copy(settings.catalog_path, data_dir / "bases" / "catalog.json")
    service_settings = settings.model_copy(
        update={
            "data_dir": data_dir,
            "database_url": database_url,
            "temporal_address": temporal_address,
            "task_queue": f"kiln-test-{uuid.uuid4().hex}",
            "allow_local_repos": True,
            "secret_key": "kiln-test-secret-key",
        }
    )
    async with running_service(service_settings) as running:
        yield running
