"""Registry authentication: the 401 challenge flow of the OCI distribution and Docker token specs.

A request goes out bare, or with what an earlier challenge from the same registry taught us. On
401 the `WWW-Authenticate` header says what the registry wants:

- `Basic realm="…"`: the request is retried once with the username and password (if we have any);
- `Bearer realm="…",service="…",scope="…"`: a token is fetched from the realm (GET with `service`
  and `scope` query parameters; basic credentials when we have them, anonymous otherwise), cached
  per (realm, service, scope) until shortly before `expires_in` (60 s when absent), and the request
  is retried with `Authorization: Bearer …`.

Token requests are sent through the same client as the registry requests (same transport, TLS
settings and timeouts). A 401 after a freshly fetched token ends the flow: the caller sees the 401.
The password and the tokens never appear in an exception message or a log line.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass
from typing import Any

import httpx

from kiln.errors import RegistryAuthError
from kiln.registry.credentials import Credentials

DEFAULT_EXPIRES_IN = 60
"""Seconds a token lives when the token service does not say (the token spec's minimum)."""
EXPIRY_MARGIN = 10.0
"""A cached token is renewed this long before it expires (at most half its lifetime earlier)."""
MAX_RETRIES = 3

_SCHEME = re.compile(r"(?:^|,)\s*(basic|bearer)(?=[\s,]|$)", re.IGNORECASE)
_PARAM = re.compile(r'([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))')
_REPOSITORY_PATH = re.compile(r"^/v2/(?P<name>.+?)/(?:manifests|blobs|tags|referrers)/")


@dataclass(frozen=True)
class Challenge:
    """One challenge of a `WWW-Authenticate` header."""

    scheme: str
    """`basic` or `bearer` (lower case)."""
    realm: str = ""
    service: str = ""
    scope: str = ""
    """Space-separated scopes, e.g. `repository:app:pull,push`."""
    error: str = ""


def parse_challenges(header: str) -> list[Challenge]:
    """The Basic and Bearer challenges of a `WWW-Authenticate` value, in order."""
    starts = list(_SCHEME.finditer(header))
    challenges = []
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(header)
        params = {
            key.lower(): re.sub(r"\\(.)", r"\1", quoted) if quoted else bare
            for key, quoted, bare in _PARAM.findall(header[match.end() : end])
        }
        challenges.append(
            Challenge(
                scheme=match.group(1).lower(),
                realm=params.get("realm", ""),
                service=params.get("service", ""),
                scope=params.get("scope", ""),
                error=params.get("error", ""),
            )
        )
    return challenges


def scope_for(request: httpx.Request) -> str:
    """The scope a request needs, for registries whose challenge names none."""
    path = request.url.path
    if path == "/v2/_catalog":
        return "registry:catalog:*"
    match = _REPOSITORY_PATH.match(path)
    if match is None:
        return ""
    actions = "pull" if request.method in ("GET", "HEAD") else "pull,push"
    return f"repository:{match['name']}:{actions}"


def basic_header(credentials: Credentials) -> str:
    pair = f"{credentials.username}:{credentials.password}".encode()
    return "Basic " + base64.b64encode(pair).decode()


@dataclass(frozen=True)
class _Token:
    value: str
    expires_at: float


@dataclass(frozen=True)
class _Send:
    """A request for the flow driver to send; `read_body` for token responses."""

    request: httpx.Request
    read_body: bool = False


_TokenKey = tuple[str, str, str]
_Flow = Generator[_Send, httpx.Response, None]


class RegistryAuth(httpx.Auth):
    """`httpx.Auth` for OCI registries: Basic, or Bearer tokens from the registry's token service.

    One instance per client: it remembers each registry's last challenge (to authenticate the
    next requests up front) and caches tokens. Without credentials it still obtains anonymous
    bearer tokens, which many registries require even for public pulls.
    """

    def __init__(
        self, credentials: Credentials | None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._credentials = credentials
        self._clock = clock
        self._tokens: dict[_TokenKey, _Token] = {}
        self._challenges: dict[str, Challenge] = {}

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        flow = self._flow(request)
        step = next(flow)
        while True:
            response = yield step.request
            if step.read_body:
                response.read()
            try:
                step = flow.send(response)
            except StopIteration:
                return

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        flow = self._flow(request)
        step = next(flow)
        while True:
            response = yield step.request
            if step.read_body:
                await response.aread()
            try:
                step = flow.send(response)
            except StopIteration:
                return

    def _flow(self, request: httpx.Request) -> _Flow:
        origin = request.url.netloc.decode()
        sent_basic, sent_token, fresh = False, "", False
        remembered = self._challenges.get(origin)
        if remembered is not None and "Authorization" not in request.headers:
            if remembered.scheme == "basic" and self._credentials is not None:
                request.headers["Authorization"] = basic_header(self._credentials)
                sent_basic = True
            elif remembered.scheme == "bearer":
                key = (remembered.realm, remembered.service, scope_for(request))
                sent_token = self._cached(key) or ""
                if sent_token:
                    request.headers["Authorization"] = f"Bearer {sent_token}"
        response = yield _Send(request)
        for _ in range(MAX_RETRIES):
            if response.status_code != 401:
                return
            challenge = _preferred(parse_challenges(response.headers.get("WWW-Authenticate", "")))
            if challenge is None:
                return
            self._challenges[origin] = challenge
            if challenge.scheme == "basic":
                if self._credentials is None or sent_basic:
                    return
                request.headers["Authorization"] = basic_header(self._credentials)
                sent_basic = True
            else:
                if fresh:
                    return  # a token fetched for this very request was refused: stop here
                key = (challenge.realm, challenge.service, challenge.scope or scope_for(request))
                token = self._cached(key)
                if token is None or token == sent_token:
                    self._tokens.pop(key, None)
                    token = yield from self._fetch_token(request, key)
                    fresh = True
                request.headers["Authorization"] = f"Bearer {token}"
                sent_token = token
            response = yield _Send(request)

    def _cached(self, key: _TokenKey) -> str | None:
        token = self._tokens.get(key)
        if token is None or self._clock() >= token.expires_at:
            return None
        return token.value

    def _fetch_token(
        self, request: httpx.Request, key: _TokenKey
    ) -> Generator[_Send, httpx.Response, str]:
        realm, service, scope = key
        registry = request.url.netloc.decode()
        if not realm:
            raise RegistryAuthError(
                f"registry {registry} asked for a bearer token but named no realm"
            )
        url = request.url.join(realm)
        where = f"the token service of {registry} ({url.scheme}://{url.netloc.decode()}{url.path})"
        params: list[tuple[str, str | int | float | bool | None]] = []
        if service:
            params.append(("service", service))
        params += [("scope", part) for part in scope.split()]
        headers = {}
        if self._credentials is not None:
            params.append(("account", self._credentials.username))
            headers["Authorization"] = basic_header(self._credentials)
        timeout = request.extensions.get("timeout")
        token_request = httpx.Request(
            "GET",
            url,
            params=params,
            headers=headers,
            extensions={"timeout": timeout} if timeout is not None else {},
        )
        response = yield _Send(token_request, read_body=True)
        if response.status_code in (401, 403):
            who = (
                f"the credentials of {self._credentials.username!r}"
                if self._credentials is not None
                else "anonymous access"
            )
            raise RegistryAuthError(
                f"{where} refused {who} ({response.status_code})",
                hint="check the registry's username and token",
            )
        if response.status_code != 200:
            raise RegistryAuthError(f"{where} failed ({response.status_code})")
        token, expires_in = _token_fields(response)
        if token is None:
            raise RegistryAuthError(f"{where} answered without a token")
        ttl = max(expires_in - EXPIRY_MARGIN, expires_in / 2)
        self._tokens[key] = _Token(token, self._clock() + ttl)
        return token


def _preferred(challenges: list[Challenge]) -> Challenge | None:
    bearer = [c for c in challenges if c.scheme == "bearer"]
    return next(iter(bearer or challenges), None)


def _token_fields(response: httpx.Response) -> tuple[str | None, float]:
    """`token` (or `access_token`) and `expires_in` of a token response; None when unusable."""
    try:
        body: Any = json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None, 0
    if not isinstance(body, dict):
        return None, 0
    token = body.get("token") or body.get("access_token")
    expires_in = body.get("expires_in")
    if not isinstance(expires_in, int | float) or isinstance(expires_in, bool) or expires_in <= 0:
        expires_in = DEFAULT_EXPIRES_IN
    return (token if isinstance(token, str) and token else None), float(expires_in)
