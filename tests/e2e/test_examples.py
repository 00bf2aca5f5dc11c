"""Every example with a check.toml: build (buildah; five with BuildKit too), push, verify the
digest, run, check."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tomllib
import uuid
from pathlib import Path
from typing import Any

import pytest

from kiln.config import Settings
from kiln.detect.overrides import Overrides
from kiln.logs.reporter import Reporter
from kiln.pipeline.analyze import plan_workspace_member
from kiln.pipeline.build import ImageBuild, build_image, default_engine, registry_client
from kiln.pipeline.local import LocalBuild, build_local
from kiln.plan.bases import load_catalog
from kiln.refs import ImageRef
from tests.snapshots.plans_of import EXAMPLES, example_names
from tests.support.containers import run_image, wait_for_http
from tests.support.servers import Registry, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def registry_digest(settings: Settings, image: ImageRef) -> str | None:
    async def head() -> str | None:
        async with registry_client(settings, image.registry) as client:
            return await client.manifest_digest(image.repository, image.reference)

    return asyncio.run(head())


# The examples both engines build (the rest are buildah only, to keep the suite's time in check).
BUILDKIT_EXAMPLES = ("node-express", "python-flask", "go-http", "static-site", "dockerfile-shell")


def engine_cases() -> list[Any]:
    cases = [pytest.param(name, "buildah", id=name) for name in example_names()]
    cases += [
        pytest.param(name, "buildkit", id=f"{name}-buildkit", marks=pytest.mark.buildkit)
        for name in BUILDKIT_EXAMPLES
    ]
    return cases


@pytest.mark.parametrize(("name", "engine"), engine_cases())
def test_example_builds_pushes_and_runs(
    name: str, engine: str, settings: Settings, registry: Registry, request: pytest.FixtureRequest
) -> None:
    check: dict[str, Any] = tomllib.loads((EXAMPLES / name / "check.toml").read_text())
    image = ImageRef(registry.address, f"examples/{name}", "e2e" if engine == "buildah" else engine)
    build_settings: Settings = (
        settings if engine == "buildah" else request.getfixturevalue("buildkit_settings")
    )
    lines: list[str] = []
    result = asyncio.run(
        build_local(
            build_settings,
            LocalBuild(source_dir=EXAMPLES / name, image=image, push=True),
            Reporter(log=lines.append),
        )
    )
    assert result.digest is not None and result.digest.startswith("sha256:")
    assert result.digest == registry_digest(settings, image)
    assert result.size_bytes is not None and result.size_bytes > 0
    if engine == "buildkit":  # the image is only in the registry: run what was pushed
        subprocess.run(
            ["buildah", "--storage-driver", settings.buildah_storage_driver, "pull",
             "--tls-verify=false", "--quiet", str(image)],
            check=True, capture_output=True,
        )  # fmt: skip

    port = free_port()
    with run_image(settings, str(image), {"PORT": str(port), **check.get("env", {})}) as running:
        if result.plan.provider != "dockerfile":
            assert running.config.get("User") == "10001:10001"
            assert f"PORT={result.plan.port}" in running.config.get("Env", [])
            assert f"{result.plan.port}/tcp" in (running.config.get("ExposedPorts") or {})
        if "http" in check:
            http = check["http"]
            response = wait_for_http(f"http://127.0.0.1:{port}{http['path']}")
            assert response.status_code == http.get("status", 200), response.text
            assert http["contains"] in response.text
        else:
            running.process.wait(60)
            assert check["stdout"] in running.output()


def test_source_only_change_reuses_the_dependency_layers(
    settings: Settings, registry: Registry, tmp_path: Path
) -> None:
    source = tmp_path / "app"
    shutil.copytree(EXAMPLES / "node-express", source)
    image = ImageRef(registry.address, "examples/rebuild", "one")

    def build(tag: str) -> list[str]:
        lines: list[str] = []
        asyncio.run(
            build_local(
                settings,
                LocalBuild(source_dir=source, image=image.with_tag(tag), push=True),
                Reporter(log=lines.append),
            )
        )
        return lines

    build("one")
    (source / "server.js").write_text(
        # unique per run: the second build's sources were never built before, on any run
        (source / "server.js").read_text() + f"\n// {uuid.uuid4()}\n"
    )
    lines = build("two")
    install_step = next(i for i, line in enumerate(lines) if "npm ci" in line and "STEP" in line)
    assert lines[install_step + 1].startswith("--> Using cache"), lines[
        install_step : install_step + 3
    ]
    copy_sources = next(i for i, line in enumerate(lines) if line.endswith("COPY . ."))
    assert not lines[copy_sources + 1].startswith("--> Using cache")


def test_a_monorepo_app_builds_from_its_sub_directory(
    settings: Settings, registry: Registry, tmp_path: Path
) -> None:
    """An app whose sub-directory is a workspace member installs from the workspace root (root
    lock file, every member's manifest) and runs that member."""
    checkout = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "node-turborepo", checkout)
    app_dir = checkout / "apps" / "web"
    plan = plan_workspace_member(
        app_dir, "apps/web", load_catalog(settings.catalog_path), Overrides()
    )
    assert plan is not None and plan.context == "../.."
    image = ImageRef(registry.address, "examples/monorepo-member", "e2e")
    built = asyncio.run(
        build_image(
            settings,
            ImageBuild(source_dir=app_dir, plan=plan, tags=[image], push=True),
            Reporter(log=print),
            default_engine(settings),
        )
    )
    assert built.digest == registry_digest(settings, image)
    port = free_port()
    with run_image(settings, str(image), {"PORT": str(port)}):
        response = wait_for_http(f"http://127.0.0.1:{port}/")
        assert "hello from a turborepo workspace (/app/apps/web)" in response.text
