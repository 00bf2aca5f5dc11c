"""The registry challenge flow (Basic, Bearer tokens, caching, failures) against MockTransport."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest

from kiln.errors import RegistryAuthError
from kiln.registry.auth import RegistryAuth, basic_header, parse_challenges, scope_for
from kiln.registry.client import RegistryClient
from kiln.registry.credentials import Credentials

PASSWORD = "s3cret-Pa55word"
CREDENTIALS = Credentials("ci-bot", PASSWORD)
REALM = "https://auth.test/token"
DIGEST = "sha256:" + "a" * 64


@dataclass
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class TokenRegistry:
    """A bearer registry at registry.test and its token service at auth.test, in one handler."""

    credentials: Credentials | None = CREDENTIALS
    token_key: str = "token"
    expires_in: int | None = 300
    token_response: Callable[[httpx.Request], httpx.Response] | None = None
    challenge_scope: bool = True
    accept_tokens: bool = True
    token_calls: list[httpx.Request] = field(default_factory=list)
    registry_calls: list[httpx.Request] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "auth.test":
            return self._token(request)
        self.registry_calls.append(request)
        sent = request.headers.get("Authorization", "")
        if self.accept_tokens and self.issued and sent == f"Bearer {self.issued[-1]}":
            return httpx.Response(200, headers={"Docker-Content-Digest": DIGEST})
        scope = scope_for(request)
        challenge = f'Bearer realm="{REALM}",service="registry.test"'
        if self.challenge_scope and scope:
            challenge += f',scope="{scope}"'
        return httpx.Response(401, headers={"WWW-Authenticate": challenge})

    def _token(self, request: httpx.Request) -> httpx.Response:
        self.token_calls.append(request)
        if self.token_response is not None:
            return self.token_response(request)
        expected = basic_header(self.credentials) if self.credentials else None
        if request.headers.get("Authorization") != expected:
            return httpx.Response(401)
        self.issued.append(f"tok-{len(self.issued) + 1}")
        body: dict[str, object] = {self.token_key: self.issued[-1]}
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        return httpx.Response(200, json=body)


def client(
    handler: Callable[[httpx.Request], httpx.Response],
    credentials: Credentials | None = CREDENTIALS,
    clock: Clock | None = None,
) -> RegistryClient:
    transport = httpx.MockTransport(handler)
    if clock is None:
        return RegistryClient(
            "registry.test", plain_http=False, credentials=credentials, transport=transport
        )
    auth = RegistryAuth(credentials, clock=clock)
    return RegistryClient("registry.test", plain_http=False, auth=auth, transport=transport)


def test_challenges_are_parsed_with_commas_inside_quotes() -> None:
    header = (
        'Basic realm="kiln", Bearer realm="https://a.test/t",service="reg",'
        'scope="repository:team/app:pull,push repository:base:pull",error="insufficient_scope"'
    )
    basic, bearer = parse_challenges(header)
    assert basic.scheme == "basic" and basic.realm == "kiln"
    assert bearer.scheme == "bearer" and bearer.realm == "https://a.test/t"
    assert bearer.scope == "repository:team/app:pull,push repository:base:pull"
    assert bearer.service == "reg" and bearer.error == "insufficient_scope"


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("HEAD", "/v2/team/app/manifests/v1", "repository:team/app:pull"),
        ("PUT", "/v2/app/manifests/v1", "repository:app:pull,push"),
        ("POST", "/v2/a/b/c/blobs/uploads/", "repository:a/b/c:pull,push"),
        ("GET", "/v2/_catalog", "registry:catalog:*"),
        ("GET", "/v2/", ""),
    ],
)
def test_scope_derived_from_the_request(method: str, path: str, scope: str) -> None:
    assert scope_for(httpx.Request(method, f"https://registry.test{path}")) == scope


async def test_basic_challenge_is_answered_then_remembered() -> None:
    sent: list[str | None] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.get("Authorization"))
        if sent[-1] == basic_header(CREDENTIALS):
            return httpx.Response(200)
        return httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="registry"'})

    async with client(handle) as registry:
        await registry.ping()
        assert sent == [None, basic_header(CREDENTIALS)]
        await registry.ping()
    assert sent[2:] == [basic_header(CREDENTIALS)], "then the credentials are sent up front"


async def test_basic_challenge_without_credentials_is_refused_once() -> None:
    calls: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="registry"'})

    async with client(handle, credentials=None) as registry:
        with pytest.raises(RegistryAuthError, match="needs credentials"):
            await registry.ping()
    assert len(calls) == 1


async def test_wrong_basic_password_stops_after_one_retry() -> None:
    calls: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="registry"'})

    async with client(handle) as registry:
        with pytest.raises(RegistryAuthError, match="rejected the credentials") as caught:
            await registry.ping()
    assert len(calls) == 2
    assert PASSWORD not in str(caught.value)


async def test_bearer_token_for_the_challenged_scope() -> None:
    fake = TokenRegistry()
    async with client(fake.handle) as registry:
        assert await registry.manifest_digest("team/app", "v1") == DIGEST
    (token_call,) = fake.token_calls
    assert token_call.url.params.get_list("scope") == ["repository:team/app:pull"]
    assert token_call.url.params["service"] == "registry.test"
    assert token_call.url.params["account"] == "ci-bot"
    assert token_call.headers["Authorization"] == basic_header(CREDENTIALS)
    assert fake.registry_calls[-1].headers["Authorization"] == "Bearer tok-1"


async def test_scope_built_from_the_path_when_the_challenge_has_none() -> None:
    fake = TokenRegistry(challenge_scope=False)
    async with client(fake.handle) as registry:
        await registry.manifest_digest("app", "v1")
    assert fake.token_calls[0].url.params.get_list("scope") == ["repository:app:pull"]


@pytest.mark.parametrize("key", ["token", "access_token"])
async def test_token_or_access_token(key: str) -> None:
    fake = TokenRegistry(token_key=key)
    async with client(fake.handle) as registry:
        assert await registry.manifest_digest("app", "v1") == DIGEST


async def test_tokens_are_cached_and_sent_up_front() -> None:
    fake = TokenRegistry()
    async with client(fake.handle) as registry:
        await registry.manifest_digest("app", "v1")
        await registry.manifest_digest("app", "v2")
    assert len(fake.token_calls) == 1
    assert len(fake.registry_calls) == 3, "first: 401 + retry; second: straight through"


@pytest.mark.parametrize(
    ("expires_in", "still_cached", "renewed"), [(300, 285, 295), (None, 45, 55)]
)
async def test_tokens_are_renewed_before_they_expire(
    expires_in: int | None, still_cached: float, renewed: float
) -> None:
    fake, clock = TokenRegistry(expires_in=expires_in), Clock()
    async with client(fake.handle, clock=clock) as registry:
        await registry.manifest_digest("app", "v1")
        clock.now += still_cached
        await registry.manifest_digest("app", "v1")
        assert len(fake.token_calls) == 1
        clock.now += renewed - still_cached
        await registry.manifest_digest("app", "v1")
    assert len(fake.token_calls) == 2
    assert fake.registry_calls[-1].headers["Authorization"] == "Bearer tok-2"


async def test_anonymous_bearer_token() -> None:
    fake = TokenRegistry(credentials=None)
    async with client(fake.handle, credentials=None) as registry:
        assert await registry.manifest_digest("library/app", "v1") == DIGEST
    (token_call,) = fake.token_calls
    assert "Authorization" not in token_call.headers
    assert "account" not in token_call.url.params


def _echo_password(status: int) -> Callable[[httpx.Request], httpx.Response]:
    return lambda _: httpx.Response(status, text=f"bad password {PASSWORD} for token tok-9")


@pytest.mark.parametrize(
    ("respond", "message"),
    [
        (_echo_password(401), r"refused the credentials of 'ci-bot' \(401\)"),
        (_echo_password(403), r"refused the credentials of 'ci-bot' \(403\)"),
        (_echo_password(500), r"failed \(500\)"),
        (_echo_password(200), "answered without a token"),
        (lambda _: httpx.Response(200, json=["tok-9"]), "answered without a token"),
        (lambda _: httpx.Response(200, json={"token": ""}), "answered without a token"),
    ],
)
async def test_token_service_failures_are_auth_errors_without_secrets(
    respond: Callable[[httpx.Request], httpx.Response], message: str
) -> None:
    fake = TokenRegistry(token_response=respond)
    async with client(fake.handle) as registry:
        with pytest.raises(RegistryAuthError, match=message) as caught:
            await registry.manifest_digest("app", "v1")
    error: BaseException | None = caught.value
    assert "the token service of registry.test (https://auth.test/token)" in str(caught.value)
    while error is not None:
        assert PASSWORD not in f"{error} {error!r}" and "tok-9" not in str(error)
        error = error.__cause__ or error.__context__


async def test_refused_fresh_token_does_not_loop() -> None:
    fake = TokenRegistry(accept_tokens=False)
    async with client(fake.handle) as registry:
        with pytest.raises(RegistryAuthError, match="refused HEAD /v2/app/manifests/v1"):
            await registry.manifest_digest("app", "v1")
    assert (len(fake.registry_calls), len(fake.token_calls)) == (2, 1)


async def test_refused_cached_token_is_renewed_once() -> None:
    fake = TokenRegistry()
    async with client(fake.handle) as registry:
        await registry.manifest_digest("app", "v1")
        fake.accept_tokens = False  # e.g. revoked
        with pytest.raises(RegistryAuthError):
            await registry.manifest_digest("app", "v1")
    # second call: cached token → 401 → fresh token → 401 → stop
    assert (len(fake.registry_calls), len(fake.token_calls)) == (2 + 2, 2)


async def test_realm_less_bearer_challenge() -> None:
    def handle(_: httpx.Request) -> httpx.Response:
        return httpx.Response(401, headers={"WWW-Authenticate": 'Bearer service="x"'})

    async with client(handle) as registry:
        with pytest.raises(RegistryAuthError, match="named no realm"):
            await registry.ping()


def test_sync_clients_use_the_same_flow() -> None:
    fake = TokenRegistry()
    transport = httpx.MockTransport(fake.handle)
    with httpx.Client(auth=RegistryAuth(CREDENTIALS), transport=transport) as http:
        response = http.head("https://registry.test/v2/app/manifests/v1")
    assert response.status_code == 200 and len(fake.token_calls) == 1


def test_credentials_and_auth_are_exclusive() -> None:
    with pytest.raises(TypeError):
        RegistryClient("r.test", plain_http=True, credentials=CREDENTIALS, auth=RegistryAuth(None))


def test_credentials_repr_hides_the_password() -> None:
    assert PASSWORD not in repr(CREDENTIALS)
