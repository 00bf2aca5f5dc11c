"""The CLI as a user meets it: real subprocesses, exit codes, one clear line on failure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from kiln.config import Settings
from tests.snapshots.plans_of import EXAMPLES
from tests.support.servers import Registry, free_port

pytestmark = pytest.mark.integration


def kiln(*args: str, data_dir: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "KILN_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "kiln", *args],
        capture_output=True, text=True, env=env, timeout=timeout, check=False,
    )  # fmt: skip


def test_plan_json_has_the_documented_keys(tmp_path: Path) -> None:
    result = kiln("plan", str(EXAMPLES / "python-flask"), "--json", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    for key in (
        "provider", "language", "language_version", "package_manager", "framework", "install",
        "build", "start", "port", "caches", "detected_files",
    ):  # fmt: skip
        assert key in plan
    assert (plan["provider"], plan["framework"]) == ("python", "flask")


def test_plan_prints_the_reasons(tmp_path: Path) -> None:
    result = kiln("plan", str(EXAMPLES / "node-express"), data_dir=tmp_path)
    assert result.returncode == 0
    assert "why" in result.stdout and "package-lock.json is present" in result.stdout


def test_dockerfile_command(tmp_path: Path) -> None:
    result = kiln("dockerfile", str(EXAMPLES / "go-http"), data_dir=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("# syntax=docker/dockerfile:1")
    assert "AS build" in result.stdout


@pytest.mark.parametrize(
    ("files", "args", "message"),
    [
        (None, ("plan", "{missing}"), "no such directory"),
        ({}, ("plan", "{dir}"), "could not detect the project type: looked for Dockerfile"),
        ({"package.json": "{oops"}, ("plan", "{dir}"), "package.json is not valid JSON"),
        ({"requirements.txt": "flask[\n"}, ("plan", "{dir}"), "requirements.txt line 1"),
        (
            {"index.html": ""},
            ("build", "{dir}", "--image", "Not A Ref"),
            "invalid image reference",
        ),
        (
            {"index.html": ""},
            ("build", "{dir}", "--image", "app:v1"),
            "expected HOST[:PORT]/REPOSITORY",
        ),
    ],
)
def test_bad_input_gives_one_clear_line(
    tmp_path: Path, files: dict[str, str] | None, args: tuple[str, ...], message: str
) -> None:
    project = tmp_path / "project"
    if files is not None:
        project.mkdir()
        for name, text in files.items():
            (project / name).write_text(text)
    argv = [a.format(dir=project, missing=tmp_path / "missing") for a in args]
    result = kiln(*argv, data_dir=tmp_path / "data")
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr


def test_unreachable_registry_fails_before_building(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    image = f"127.0.0.1:{port}/app:v1"
    result = kiln("build", str(EXAMPLES / "static-site"), "--image", image, "--push",
                  data_dir=tmp_path)  # fmt: skip
    assert result.returncode == 1
    assert f"registry 127.0.0.1:{port} is unreachable" in result.stderr
    assert "Traceback" not in result.stderr
    assert "==> build" not in result.stderr


@pytest.mark.e2e
def test_build_push_prints_the_registry_digest(settings: Settings, registry: Registry) -> None:
    image = f"{registry.address}/cli/static:v1"
    result = kiln("build", str(EXAMPLES / "static-site"), "--image", image, "--push",
                  data_dir=settings.data_dir)  # fmt: skip
    assert result.returncode == 0, result.stderr
    digest = result.stdout.strip()
    assert digest.startswith("sha256:") and len(digest) == 71
    head = httpx.head(
        f"{registry.url}/v2/cli/static/manifests/v1",
        headers={"Accept": "application/vnd.oci.image.manifest.v1+json"},
    )
    assert head.headers["Docker-Content-Digest"] == digest


@pytest.mark.e2e
def test_failing_build_leaves_no_tag(
    settings: Settings, registry: Registry, tmp_path: Path
) -> None:
    project = tmp_path / "broken"
    project.mkdir()
    (project / "package.json").write_text(
        '{"scripts": {"start": "node x.js", "build": "exit 7"}, "name": "broken"}'
    )
    image = f"{registry.address}/cli/broken:v1"
    result = kiln("build", str(project), "--image", image, "--push", data_dir=settings.data_dir)
    assert result.returncode == 2
    assert "error:" in result.stderr and "npm run build" in result.stderr
    assert httpx.get(f"{registry.url}/v2/cli/broken/tags/list").status_code == 404
