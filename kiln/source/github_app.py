"""GitHub App installation tokens: an RS256 JWT signed with the App's private key is exchanged
for an installation token (`POST /app/installations/{id}/access_tokens`), cached until shortly
before it expires, and used to fetch private repositories (never put in a URL or argv)."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kiln.config import Settings
from kiln.errors import TransientError, UserError

REFRESH_MARGIN_SECONDS = 300


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class GitHubApp:
    app_id: str
    private_key_pem: str = field(repr=False)
    api_url: str = "https://api.github.com"

    def jwt(self, now: float | None = None) -> str:
        """The App's own token: valid 10 minutes (issued 60 s in the past for clock drift)."""
        issued = int(now if now is not None else time.time()) - 60
        header = _b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
        claims = _b64(json.dumps({"iat": issued, "exp": issued + 600, "iss": self.app_id}).encode())
        try:
            key = serialization.load_pem_private_key(self.private_key_pem.encode(), password=None)
        except ValueError as exc:
            raise UserError("the GitHub App private key is not a PEM RSA key") from exc
        if not isinstance(key, rsa.RSAPrivateKey):
            raise UserError("the GitHub App private key must be an RSA key")
        signature = key.sign(f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{header}.{claims}.{_b64(signature)}"


class InstallationTokens:
    """Installation id → token, fetched once and reused until 5 minutes before expiry."""

    def __init__(self, app: GitHubApp, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.app = app
        self.transport = transport
        self._cache: dict[int, tuple[str, float]] = {}
        self._lock = asyncio.Lock()

    async def token(self, installation_id: int) -> str:
        async with self._lock:
            cached = self._cache.get(installation_id)
            if cached is not None and cached[1] - REFRESH_MARGIN_SECONDS > time.time():
                return cached[0]
            token, expires = await self._mint(installation_id)
            self._cache[installation_id] = (token, expires)
            return token

    async def _mint(self, installation_id: int) -> tuple[str, float]:
        url = f"{self.app.api_url.rstrip('/')}/app/installations/{installation_id}/access_tokens"
        headers = {
            "Authorization": f"Bearer {self.app.jwt()}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        try:
            async with httpx.AsyncClient(transport=self.transport, timeout=30) as client:
                response = await client.post(url, headers=headers)
        except httpx.TransportError as exc:
            raise TransientError(f"GitHub is unreachable ({self.app.api_url}): {exc}") from exc
        if response.status_code in (401, 403, 404):
            raise UserError(
                f"GitHub refused an installation token for installation {installation_id} "
                f"({response.status_code}): check the App id, key and installation"
            )
        if response.status_code != 201:
            raise TransientError(
                f"GitHub answered {response.status_code} for an installation token"
            )
        try:
            body = response.json()
            expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
            return str(body["token"]), expires.timestamp()
        except (ValueError, KeyError, TypeError) as exc:
            raise TransientError("GitHub's installation token answer is malformed") from exc


def installation_tokens(settings: Settings) -> InstallationTokens | None:
    """The App's token source when KILN_GITHUB_APP_ID and its private key file are set."""
    if not settings.github_app_id or settings.github_app_private_key_file is None:
        return None
    try:
        pem = settings.github_app_private_key_file.read_text()
    except OSError as exc:
        raise UserError(f"cannot read the GitHub App private key: {exc}") from exc
    return InstallationTokens(GitHubApp(settings.github_app_id, pem, settings.github_api_url))
