"""Registry kinds: what each kind of registry expects (host, credentials) and a validator.

Every kind authenticates through the same challenge flow (`kiln.registry.auth`); the kinds differ
in where they live and which credentials make sense:

- `generic`: any OCI distribution registry; basic auth or bearer tokens, as its challenge says.
- `ghcr`: GitHub Container Registry at `ghcr.io`; a username and a personal access token (classic,
  with `write:packages`). GitHub App installation tokens are NOT accepted by GHCR for pushes.
- `acr`: Azure Container Registry at `<name>.azurecr.io`; a username and a token (repository-scoped
  token, service principal or admin user). With the username `00000000-0000-0000-0000-000000000000`
  the secret is an ACR refresh token; the exchange is the same bearer flow with the refresh token as
  the password.
- `harbor`: Harbor; robot or user accounts, bearer tokens via the challenge.
- `managed`: kiln's own registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from kiln.errors import UserError

KindName = Literal["generic", "ghcr", "acr", "harbor", "managed"]
GHCR_HOST = "ghcr.io"
ACR_SUFFIX = ".azurecr.io"
ACR_REFRESH_TOKEN_USER = "00000000-0000-0000-0000-000000000000"  # noqa: S105 (a username)
"""The username that marks an ACR secret as a refresh token."""


@dataclass(frozen=True)
class RegistryKind:
    name: KindName
    title: str
    auth: str
    """How it authenticates, for people (docs, the settings page)."""
    host: str | None = None
    """The one host this kind lives at, if any."""
    host_suffix: str | None = None
    """The domain every registry of this kind lives under, if any."""
    needs_credentials: bool = False
    hint: str = ""
    """What to do when the registry refuses the credentials."""


KINDS: dict[str, RegistryKind] = {
    kind.name: kind
    for kind in (
        RegistryKind(
            "generic",
            "OCI registry",
            "basic or bearer token, as the registry's challenge says; anonymous if no credentials",
        ),
        RegistryKind(
            "ghcr",
            "GitHub Container Registry",
            "username + personal access token (classic) with write:packages",
            host=GHCR_HOST,
            needs_credentials=True,
            hint="GHCR needs a personal access token with write:packages for pushes; "
            "GitHub App installation tokens are not accepted",
        ),
        RegistryKind(
            "acr",
            "Azure Container Registry",
            "username + token; username 00000000-0000-0000-0000-000000000000 with a refresh token",
            host_suffix=ACR_SUFFIX,
            needs_credentials=True,
            hint="use a repository-scoped token with push rights, a service principal, or "
            f"{ACR_REFRESH_TOKEN_USER} with an ACR refresh token",
        ),
        RegistryKind(
            "harbor",
            "Harbor",
            "robot or user account, bearer token via the registry's challenge",
            hint="a robot account needs push permission on the project",
        ),
        RegistryKind("managed", "kiln's registry", "managed by kiln"),
    )
}


def kind_of(name: str) -> RegistryKind:
    kind = KINDS.get(name)
    if kind is None:
        raise UserError(
            f"unknown registry kind {name!r}: expected one of {', '.join(get_args(KindName))}"
        )
    return kind


def registry_host(url: str) -> str:
    """`https://Foo.azurecr.io:443/ns` → `foo.azurecr.io`."""
    rest = url.strip().split("://", 1)[-1]
    host_port = rest.split("/", 1)[0].lower()
    if host_port.startswith("["):
        return host_port.split("]", 1)[0] + "]"
    return host_port.rsplit(":", 1)[0] if host_port.count(":") == 1 else host_port


def is_acr_refresh_token(username: str | None) -> bool:
    return username == ACR_REFRESH_TOKEN_USER


def validate_registry(kind: str, url: str, username: str | None, secret: str | None) -> None:
    """Raise a one-line `UserError` for a combination that cannot work."""
    spec = kind_of(kind)
    host = registry_host(url)
    if not host:
        raise UserError(f"{spec.title}: the url (host[:port]) is missing")
    if spec.host is not None and host != spec.host:
        raise UserError(f"{spec.title} lives at {spec.host}, not {host}")
    if spec.host_suffix is not None and (
        not host.endswith(spec.host_suffix) or len(host) == len(spec.host_suffix)
    ):
        raise UserError(
            f"{spec.title} urls end in {spec.host_suffix} "
            f"(e.g. myregistry{spec.host_suffix}), not {host}"
        )
    if username and not secret:
        raise UserError(f"registry user {username!r} needs a secret (password or token)")
    if secret and not username:
        raise UserError("a registry secret needs a username to go with it")
    if spec.needs_credentials and not username:
        raise UserError(f"{spec.title} needs a username and a token: {spec.hint}")
