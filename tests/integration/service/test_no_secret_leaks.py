"""Every secret kiln knows for a build — the registry password, a build secret, the webhook
secret — is looked for in the stored log, the SSE stream, every API answer, `ps` during the
build, the database in clear, and every layer and config of the pushed image: none is found."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import subprocess
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kiln.service.webhooks import signature_of
from tests.support.servers import Registry, run_registry, write_htpasswd
from tests.support.service import RunningService, git_repo

pytestmark = [pytest.mark.integration, pytest.mark.security]
REGISTRY_PASSWORD = f"reg-pw-{uuid.uuid4().hex}"
PACKAGE = {
    "name": "leaky",
    "version": "1.0.0",
    "scripts": {
        # tries hard to leak: prints the secret, split across two lines, and into a file
        "build": "node -e \"const s = process.env.API_KEY; console.log('key=' + s); "
        "console.log(s.slice(0, 10)); console.log(s.slice(10)); "
        "require('fs').writeFileSync('len.txt', String(s.length))\"",
        "start": "node -e \"require('http').createServer((q, r) => r.end('ok')).listen(3000)\"",
    },
}
MEDIA = "application/vnd.oci.image.manifest.v1+json"


@pytest.fixture
def private_registry(tmp_path: Path) -> Iterator[Registry]:
    htpasswd = write_htpasswd(tmp_path / "htpasswd", {"pusher": REGISTRY_PASSWORD})
    with run_registry(tmp_path / "private-registry", htpasswd=htpasswd) as registry:
        yield registry


def image_blobs(registry: Registry, repository: str, digest: str) -> list[bytes]:
    auth = ("pusher", REGISTRY_PASSWORD)
    manifest = httpx.get(f"{registry.url}/v2/{repository}/manifests/{digest}", auth=auth,
                         headers={"Accept": MEDIA}).json()  # fmt: skip
    blobs = []
    for item in [manifest["config"], *manifest["layers"]]:
        data = httpx.get(f"{registry.url}/v2/{repository}/blobs/{item['digest']}", auth=auth,
                         follow_redirects=True).content  # fmt: skip
        if data[:2] == b"\x1f\x8b":
            with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data))) as tar:
                for member in tar.getmembers():
                    handle = tar.extractfile(member) if member.isfile() else None
                    blobs.append(member.name.encode() + b"\n" + (handle.read() if handle else b""))
        else:
            blobs.append(data)
    return blobs


async def test_no_secret_anywhere(
    service: RunningService, private_registry: Registry, tmp_path: Path
) -> None:
    # fresh values per run: a new build secret also means no layer cache hides the leak attempt
    build_secret = f"build-secret-{uuid.uuid4().hex}"
    webhook_secret = f"webhook-secret-{uuid.uuid4().hex}"
    secrets = (REGISTRY_PASSWORD, build_secret, webhook_secret)
    source = tmp_path / "src"
    source.mkdir()
    (source / "package.json").write_text(json.dumps(PACKAGE))
    commit = git_repo(source, tmp_path / "repo")
    answers: list[str] = []

    async def call(method: str, path: str, body: object = None) -> httpx.Response:
        response = await service.api(method, path, body)
        answers.append(response.text)
        return response

    await call("POST", "/workspaces", {"slug": "acme", "name": "Acme"})
    await call("POST", "/workspaces/acme/registries",
               {"name": "private", "kind": "generic", "url": private_registry.address,
                "namespace": "acme", "username": "pusher", "secret": REGISTRY_PASSWORD,
                "is_default": True})  # fmt: skip
    assert (await call("POST", "/workspaces/acme/registries/private/test")).json()["ok"]
    await call("POST", "/workspaces/acme/apps",
               {"slug": "app", "repo_url": str(tmp_path / "repo"), "branch": "main",
                "webhook_secret": webhook_secret})  # fmt: skip
    await call("PUT", "/workspaces/acme/apps/app/secrets", {"secrets": {"API_KEY": build_secret}})

    body = json.dumps({"ref": "refs/heads/main", "after": commit,
                       "repository": {"clone_url": str(tmp_path / "repo")}}).encode()  # fmt: skip
    hook = await service.http.post("/api/v1/hooks/github", content=body, headers={
        "X-GitHub-Event": "push", "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": signature_of(webhook_secret, body)})  # fmt: skip
    answers.append(hook.text)
    [build_id] = hook.json()["builds"]

    in_ps: list[str] = []

    async def watch() -> None:
        while True:
            out = subprocess.run(["ps", "-eww", "-o", "args"], capture_output=True, text=True)
            in_ps.extend(
                line for line in out.stdout.splitlines() if any(s in line for s in secrets)
            )
            await asyncio.sleep(0.1)

    watcher = asyncio.create_task(watch())
    events = await service.events(build_id)
    watcher.cancel()
    assert events[-1][1] == {"status": "built"}, events[-15:]
    streamed = json.dumps([data for _, data, _ in events])
    log = (await service.http.get(f"/api/v1/builds/{build_id}/logs")).text
    assert "key=***" in log  # the build did print it, masked
    for path in (f"/builds/{build_id}", "/workspaces/acme/apps/app", "/workspaces/acme/registries",
                 "/workspaces/acme/apps/app/secrets", "/workspaces/acme/images"):  # fmt: skip
        await call("GET", path)
    final = (await service.api("GET", f"/builds/{build_id}")).json()
    repository = final["image_ref"].split("/", 1)[1].rsplit(":", 1)[0]
    layers = image_blobs(private_registry, repository, final["digest"])
    assert any(b"app/len.txt\n" + str(len(build_secret)).encode() == blob for blob in layers)
    url = service.settings.database
    database = (
        Path(url.removeprefix("sqlite:///")).read_bytes() if url.startswith("sqlite") else b""
    )

    for secret in secrets:
        assert secret not in log and secret not in streamed, secret
        assert not [a for a in answers if secret in a], secret
        assert not [line for line in in_ps if secret in line], secret
        assert not [blob for blob in layers if secret.encode() in blob], secret
        assert secret.encode() not in database, secret
    # the halves of the build secret printed on two lines are masked too
    assert build_secret[:10] not in log and build_secret[10:] not in log
