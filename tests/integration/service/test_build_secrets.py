"""Build secrets: usable by RUN steps, absent from logs, API answers, process arguments and
every layer of the image; a changed value re-runs the steps that see it."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import subprocess
import tarfile
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support.servers import Registry
from tests.support.service import RunningService, git_repo

pytestmark = [pytest.mark.integration, pytest.mark.security]
PACKAGE = {
    "name": "secret-user",
    "version": "1.0.0",
    "scripts": {
        "build": "node -e \"require('fs').writeFileSync('secret-length.txt', "
        'String(process.env.BUILD_TOKEN.length))"',
        "start": "node -e \"require('http').createServer((q, s) => s.end('ok')).listen(3000)\"",
    },
}
MEDIA = "application/vnd.oci.image.manifest.v1+json"


def layer_files(registry: Registry, repository: str, digest: str) -> dict[str, bytes]:
    manifest = httpx.get(
        f"{registry.url}/v2/{repository}/manifests/{digest}", headers={"Accept": MEDIA}
    ).json()
    files: dict[str, bytes] = {
        "config": httpx.get(
            f"{registry.url}/v2/{repository}/blobs/{manifest['config']['digest']}"
        ).content
    }
    for layer in manifest["layers"]:
        data = httpx.get(
            f"{registry.url}/v2/{repository}/blobs/{layer['digest']}", follow_redirects=True
        ).content
        with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data))) as tar:
            for member in tar.getmembers():
                handle = tar.extractfile(member) if member.isfile() else None
                files[member.name] = handle.read() if handle else b""
    return files


async def test_secret_reaches_the_build_and_nothing_else(
    service: RunningService, registry: Registry, tmp_path: Path
) -> None:
    # fresh per run, so no layer cached by an earlier run can stand in for the real build
    secret = f"s3cr3t-{uuid.uuid4().hex}"
    source = tmp_path / "src"
    source.mkdir()
    (source / "package.json").write_text(json.dumps(PACKAGE))
    git_repo(source, tmp_path / "repo")
    await service.api("POST", "/workspaces", {"slug": "acme", "name": "Acme"})
    await service.api(
        "POST",
        "/workspaces/acme/registries",
        {
            "name": "local",
            "kind": "generic",
            "url": registry.address,
            "namespace": "secrets",
            "is_default": True,
        },
    )
    await service.api(
        "POST",
        "/workspaces/acme/apps",
        {"slug": "app", "repo_url": str(tmp_path / "repo"), "branch": "main"},
    )
    stored = await service.api(
        "PUT", "/workspaces/acme/apps/app/secrets", {"secrets": {"BUILD_TOKEN": secret}}
    )
    assert stored.json() == {"names": ["BUILD_TOKEN"]} and secret not in stored.text
    bad = await service.api(
        "PUT", "/workspaces/acme/apps/app/secrets", {"secrets": {"KILN_X": "v", "bad name": "v"}}
    )
    assert bad.status_code == 422 and secret not in bad.text

    build = (await service.api("POST", "/workspaces/acme/apps/app/builds", {})).json()
    seen_in_ps: list[str] = []

    async def watch_processes() -> None:
        while True:
            out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
            seen_in_ps.extend(line for line in out.splitlines() if secret in line)
            await asyncio.sleep(0.2)

    watcher = asyncio.create_task(watch_processes())
    events = await service.events(build["id"])
    watcher.cancel()
    assert events[-1][1] == {"status": "built"}, events[-20:]
    assert seen_in_ps == []

    log = (await service.http.get(f"/api/v1/builds/{build['id']}/logs")).text
    assert secret not in log and "BUILD_TOKEN" in log
    for path in (
        f"/builds/{build['id']}",
        "/workspaces/acme/apps/app",
        "/workspaces/acme/apps/app/secrets",
    ):
        assert secret not in (await service.api("GET", path)).text
    final = (await service.api("GET", f"/builds/{build['id']}")).json()
    repository = final["image_ref"].split("/", 1)[1].rsplit(":", 1)[0]
    files = layer_files(registry, repository, final["digest"])
    assert not [name for name, body in files.items() if secret.encode() in body]
    assert not [name for name in files if "BUILD_TOKEN" in name or "run/secrets" in name]
    assert files["app/secret-length.txt"] == str(len(secret)).encode()

    # a new value re-runs the steps that see it (its keyed hash is in their cache key)
    await service.api(
        "PUT",
        "/workspaces/acme/apps/app/secrets",
        {"secrets": {"BUILD_TOKEN": secret + "-rotated"}},
    )
    again = (await service.api("POST", "/workspaces/acme/apps/app/builds", {"force": True})).json()
    lines = [d["line"] for e, d, _ in await service.events(again["id"]) if e == "message"]
    build_step = next(
        i for i, line in enumerate(lines) if "npm run build" in line and "STEP" in line
    )
    assert not lines[build_step + 1].startswith("--> Using cache")
    rotated = (await service.api("GET", f"/builds/{again['id']}")).json()
    files = layer_files(registry, repository, rotated["digest"])
    assert files["app/secret-length.txt"] == str(len(secret + "-rotated")).encode()
