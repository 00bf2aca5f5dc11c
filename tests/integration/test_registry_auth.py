"""Registry auth against real docker-registry servers: htpasswd (Basic) and token auth (Bearer).

The token service is a small threaded HTTP server issuing RS256 JWTs per the distribution token
spec; the registry trusts it through a self-signed certificate (`rootcertbundle`) that every
token carries in its `x5c` header.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from kiln.errors import RegistryAuthError
from kiln.registry.auth import RegistryAuth
from kiln.registry.client import RegistryClient
from kiln.registry.credentials import Credentials
from tests.support.servers import Registry, TokenAuth, run_registry, write_htpasswd

pytestmark = pytest.mark.integration

PASSWORD = "Corr3ct-Horse-Battery-Staple"
GOOD = Credentials("ci-bot", PASSWORD)
WRONG = Credentials("ci-bot", "not-" + PASSWORD)
SERVICE, ISSUER = "kiln-test-registry", "kiln-test-issuer"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class TokenService:
    """Grants `ci-bot` every action it asks for, anonymous callers `pull` on `public/*`."""

    key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    url: str = ""
    calls: list[tuple[str | None, list[str]]] = field(default_factory=list)

    def issue(self, subject: str, scopes: list[str]) -> str:
        access = []
        for scope in scopes:
            kind, rest = scope.split(":", 1)
            name, actions = rest.rsplit(":", 1)
            allowed = [
                action
                for action in actions.split(",")
                if subject == GOOD.username or (action == "pull" and name.startswith("public/"))
            ]
            if kind == "repository" and allowed:
                access.append({"type": kind, "name": name, "actions": allowed})
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
        now = int(time.time())
        claims = {
            "iss": ISSUER, "sub": subject, "aud": SERVICE, "exp": now + 300, "nbf": now - 10,
            "iat": now, "jti": uuid.uuid4().hex, "access": access,
        }  # fmt: skip
        signing_input = (
            f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
        )
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{b64url(signature)}"

    def answer(self, path: str, authorization: str | None) -> tuple[int, dict[str, object]]:
        query = parse_qs(urlsplit(path).query)
        user: str | None = None
        if authorization is not None:
            user, _, password = base64.b64decode(authorization.split()[-1]).decode().partition(":")
            if (user, password) != (GOOD.username, GOOD.password):
                self.calls.append((user, query.get("scope", [])))
                return 401, {"details": "wrong username or password"}
        self.calls.append((user, query.get("scope", [])))
        if query.get("service") != [SERVICE]:
            return 400, {"details": "unknown service"}
        token = self.issue(user or "", query.get("scope", []))
        return 200, {"token": token, "expires_in": 300, "issued_at": datetime.now(UTC).isoformat()}


def signing_identity() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kiln test token service")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


@pytest.fixture(scope="module")
def token_service() -> Iterator[TokenService]:
    service = TokenService(*signing_identity())

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = service.answer(self.path, self.headers.get("Authorization"))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.url = f"http://127.0.0.1:{server.server_address[1]}/token"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def token_registry(
    token_service: TokenService, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Registry]:
    root = tmp_path_factory.mktemp("token-registry")
    bundle = root / "token-ca.pem"
    bundle.write_bytes(token_service.certificate.public_bytes(serialization.Encoding.PEM))
    auth = TokenAuth(token_service.url, SERVICE, ISSUER, bundle)
    with run_registry(root / "storage", token=auth) as registry:
        yield registry


@pytest.fixture(scope="module")
def basic_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    root = tmp_path_factory.mktemp("basic-registry")
    htpasswd = write_htpasswd(root / "htpasswd", {GOOD.username: GOOD.password})
    with run_registry(root / "storage", htpasswd=htpasswd) as registry:
        yield registry


def client(registry: Registry, credentials: Credentials | None) -> RegistryClient:
    return RegistryClient(registry.address, plain_http=True, credentials=credentials)


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


async def push_image(registry: Registry, repository: str, tag: str) -> str:
    """A tiny OCI image pushed by hand: monolithic blob uploads (POST + PUT), then the manifest."""
    empty_tar = b"\0" * 1024
    layer = gzip.compress(empty_tar, mtime=0)
    config = json.dumps(
        {"architecture": "amd64", "os": "linux", "config": {"Labels": {"dev.kiln.test": "1"}},
         "rootfs": {"type": "layers", "diff_ids": [sha256(empty_tar)]}}
    ).encode()  # fmt: skip
    auth = RegistryAuth(GOOD)
    async with httpx.AsyncClient(base_url=registry.url, auth=auth) as http:
        for blob in (config, layer):
            start = await http.post(f"/v2/{repository}/blobs/uploads/")
            assert start.status_code == 202, start.text
            location = start.url.join(start.headers["Location"])
            url = location.copy_merge_params({"digest": sha256(blob)})  # keeps `_state`
            put = await http.put(url, content=blob)
            assert put.status_code == 201, put.text
        manifest = json.dumps(
            {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
             "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                        "digest": sha256(config), "size": len(config)},
             "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                         "digest": sha256(layer), "size": len(layer)}]}
        ).encode()  # fmt: skip
        put = await http.put(
            f"/v2/{repository}/manifests/{tag}",
            content=manifest,
            headers={"Content-Type": OCI_MANIFEST},
        )
        assert put.status_code == 201, put.text
    assert put.headers["Docker-Content-Digest"] == sha256(manifest)
    return sha256(manifest)


def assert_no_password(error: BaseException) -> None:
    current: BaseException | None = error
    while current is not None:
        assert PASSWORD not in f"{current} {current!r} {current.args}"
        current = current.__cause__ or current.__context__


@pytest.mark.parametrize("kind", ["basic", "token"])
async def test_push_list_and_delete_round_trip(kind: str, request: pytest.FixtureRequest) -> None:
    registry: Registry = request.getfixturevalue(f"{kind}_registry")
    async with client(registry, GOOD) as reg:
        await reg.ping()
        await reg.check_push_access("team/app")
        assert await reg.list_tags("team/app") == []
        digest = await push_image(registry, "team/app", "v1")
        assert await reg.manifest_digest("team/app", "v1") == digest
        assert await reg.list_tags("team/app") == ["v1"]
        assert await reg.image_labels("team/app", "v1") == {"dev.kiln.test": "1"}
        assert await reg.delete_manifest("team/app", digest) is True
        assert await reg.manifest_digest("team/app", "v1") is None
        assert await reg.delete_manifest("team/app", digest) is False


@pytest.mark.parametrize("kind", ["basic", "token"])
@pytest.mark.parametrize("credentials", [WRONG, None], ids=["wrong-password", "anonymous"])
async def test_refused_without_the_right_credentials(
    kind: str, credentials: Credentials | None, request: pytest.FixtureRequest
) -> None:
    registry: Registry = request.getfixturevalue(f"{kind}_registry")
    async with client(registry, credentials) as reg:
        calls: list[Callable[[], Awaitable[object]]] = [
            lambda: reg.manifest_digest("team/app", "v1"),
            lambda: reg.list_tags("team/app"),
            lambda: reg.check_push_access("team/app"),
        ]
        if kind == "basic" or credentials is not None:  # an anonymous token may ping
            calls.append(reg.ping)
        for call in calls:
            with pytest.raises(RegistryAuthError) as caught:
                await call()
            assert_no_password(caught.value)


async def test_tokens_are_cached_per_scope(
    token_registry: Registry, token_service: TokenService
) -> None:
    async with client(token_registry, GOOD) as reg:
        await reg.manifest_digest("cache/app", "v1")
        before = len(token_service.calls)
        for tag in ("v1", "v2", "v3"):
            assert await reg.manifest_digest("cache/app", tag) is None
        assert len(token_service.calls) == before
        assert token_service.calls[-1] == (GOOD.username, ["repository:cache/app:pull"])


async def test_anonymous_pull_of_a_public_repository(
    token_registry: Registry, token_service: TokenService
) -> None:
    digest = await push_image(token_registry, "public/base", "1.0")
    async with client(token_registry, None) as reg:
        await reg.ping()
        assert await reg.manifest_digest("public/base", "1.0") == digest
        assert await reg.list_tags("public/base") == ["1.0"]
        with pytest.raises(RegistryAuthError, match="refused POST"):
            await reg.check_push_access("public/base")
    assert (None, ["repository:public/base:pull"]) in token_service.calls


def test_htpasswd_file_holds_bcrypt_hashes(tmp_path: Path) -> None:
    text = write_htpasswd(tmp_path / "htpasswd", {"a": "x", "b": "y"}).read_text()
    assert [line.split(":", 1)[1][:4] for line in text.splitlines()] == ["$2y$", "$2y$"]
