"""Session fixtures shared by integration and e2e tests: a real registry and bootstrapped bases."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiln.baseimages.bootstrap import BootstrapTarget, bootstrap
from kiln.config import Settings
from kiln.logs.reporter import Reporter
from kiln.pipeline.build import default_engine
from tests.support.buildkit import Buildkitd, run_buildkitd
from tests.support.servers import Registry, require_binary, run_registry

ROOT = Path(__file__).resolve().parent.parent
# Registry storage survives between runs so the base-image bootstrap is only paid once per machine.
CACHE = Path(os.environ.get("KILN_TEST_CACHE", ROOT / ".kiln" / "test-cache"))


@pytest.fixture(scope="session")
def registry() -> Iterator[Registry]:
    with run_registry(CACHE / "registry") as server:
        yield server


@pytest.fixture(scope="session")
def settings(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose catalog holds base images bootstrapped into the session registry."""
    for binary in ("buildah", "runc", "mmdebstrap"):
        require_binary(binary)
    data_dir = tmp_path_factory.mktemp("kiln-data")
    settings = Settings(data_dir=data_dir)
    log_path = data_dir / "bootstrap.log"
    with log_path.open("w") as log:
        reporter = Reporter(log=lambda line: print(line, file=log))
        asyncio.run(
            bootstrap(
                settings,
                BootstrapTarget(registry.address, "kiln"),
                default_engine(settings),
                reporter,
            )
        )
    return settings


@pytest.fixture(scope="session")
def buildkitd(registry: Registry) -> Iterator[Buildkitd]:
    """A real buildkitd trusting the session registry; its cache persists like the registry's."""
    with run_buildkitd(CACHE / "buildkit", [registry.address]) as daemon:
        yield daemon


@pytest.fixture(scope="session")
def buildkit_settings(settings: Settings, buildkitd: Buildkitd) -> Settings:
    """`settings` with the BuildKit engine pointed at the session's buildkitd."""
    return settings.model_copy(update={"engine": "buildkit", "buildkit_host": [buildkitd.address]})
