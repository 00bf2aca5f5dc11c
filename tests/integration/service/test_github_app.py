"""A private repository fetched with a GitHub App installation token: a JWT signed with the App's
key is exchanged at a fake GitHub API that speaks GitHub's wire protocol (and checks the JWT),
the token is cached, and it reaches neither the logs nor the API."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kiln.config import Settings
from tests.snapshots.plans_of import EXAMPLES
from tests.support.git_server import GitServer, git_http_server
from tests.support.servers import Registry
from tests.support.service import RunningService, git_repo, running_service

pytestmark = [pytest.mark.integration, pytest.mark.security]
APP_ID = "123456"
INSTALLATION = 42
TOKEN = "ghs_installationTOKEN0123456789abcdef"


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class FakeGitHub(BaseHTTPRequestHandler):
    public_key: rsa.RSAPublicKey
    calls: list[str]

    def do_POST(self) -> None:
        expected = f"/app/installations/{INSTALLATION}/access_tokens"
        header, _, jwt = self.headers.get("Authorization", "").partition(" ")
        try:
            head, claims, signature = jwt.split(".")
            self.public_key.verify(unb64(signature), f"{head}.{claims}".encode(),
                                   padding.PKCS1v15(), hashes.SHA256())  # fmt: skip
            body = json.loads(unb64(claims))
            valid = header == "Bearer" and body["iss"] == APP_ID and body["exp"] > time.time()
        except Exception:
            valid = False
        if self.path != expected or not valid:
            self.send_response(401)
            self.end_headers()
            return
        self.calls.append(self.path)
        expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        payload = json.dumps({"token": TOKEN, "expires_at": expires}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def github(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "app.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))  # fmt: skip
    calls: list[str] = []
    handler = type("Handler", (FakeGitHub,), {"public_key": key.public_key(), "calls": calls})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", pem, calls
    server.shutdown()
    server.server_close()


@pytest.fixture
def private_repo(tmp_path: Path) -> Iterator[GitServer]:
    work = tmp_path / "work"
    git_repo(EXAMPLES / "static-site", work)
    (tmp_path / "served" / "private").mkdir(parents=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(work),
                    str(tmp_path / "served" / "private" / "site.git")], check=True)  # fmt: skip
    with git_http_server(tmp_path / "served", token=TOKEN) as server:
        yield server


@pytest.fixture
async def app_service(
    settings: Settings, temporal_address: str, tmp_path: Path, github: tuple[str, Path, list[str]]
) -> AsyncIterator[RunningService]:
    data_dir = tmp_path / "data"
    (data_dir / "bases").mkdir(parents=True)
    shutil.copy(settings.catalog_path, data_dir / "bases" / "catalog.json")
    api_url, pem, _ = github
    updated = settings.model_copy(update={
        "data_dir": data_dir, "database_url": f"sqlite:///{tmp_path / 'kiln.db'}",
        "temporal_address": temporal_address, "task_queue": f"gh-{uuid.uuid4().hex}",
        "secret_key": "k", "github_app_id": APP_ID, "github_app_private_key_file": pem,
        "github_api_url": api_url,
    })  # fmt: skip
    async with running_service(updated) as running:
        yield running


async def test_private_repository_with_an_installation_token(
    app_service: RunningService,
    registry: Registry,
    private_repo: GitServer,
    github: tuple[str, Path, list[str]],
) -> None:
    service = app_service
    await service.api("POST", "/workspaces", {"slug": "acme", "name": "Acme"})
    await service.api("POST", "/workspaces/acme/registries",
                      {"name": "local", "kind": "generic", "url": registry.address,
                       "is_default": True})  # fmt: skip
    url = f"{private_repo.url}/private/site.git"
    without = await service.api("POST", "/workspaces/acme/apps", {"slug": "nope", "repo_url": url})
    assert without.status_code == 201
    refused = await service.api("POST", "/workspaces/acme/apps/nope/builds", {})
    assert refused.status_code == 422 and "private" in refused.json()["error"]["message"]

    created = await service.api("POST", "/workspaces/acme/apps",
                                {"slug": "site", "repo_url": url, "branch": "main",
                                 "github_installation_id": INSTALLATION})  # fmt: skip
    assert created.status_code == 201, created.text
    for _ in range(2):
        build = (
            await service.api("POST", "/workspaces/acme/apps/site/builds", {"force": True})
        ).json()
        assert "id" in build, build
        events = await service.events(build["id"])
        assert events[-1][1] == {"status": "built"}
        log = (await service.http.get(f"/api/v1/builds/{build['id']}/logs")).text
        assert TOKEN not in log
        assert TOKEN not in (await service.api("GET", f"/builds/{build['id']}")).text
    _, _, calls = github
    assert len(calls) == 2  # one for the API process, one for the worker; then cached
