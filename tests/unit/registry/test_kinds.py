"""Registry kinds: nonsense combinations of kind, url and credentials are one-line UserErrors."""

from __future__ import annotations

import pytest

from kiln.errors import UserError
from kiln.registry.kinds import (
    ACR_REFRESH_TOKEN_USER,
    KINDS,
    is_acr_refresh_token,
    registry_host,
    validate_registry,
)


@pytest.mark.parametrize(
    ("kind", "url", "username", "secret"),
    [
        ("generic", "127.0.0.1:5000", None, None),
        ("generic", "https://registry.example.com/", "bot", "pw"),
        ("ghcr", "ghcr.io", "octocat", "ghp_x"),
        ("ghcr", "https://GHCR.io", "octocat", "ghp_x"),
        ("acr", "myregistry.azurecr.io", "push-token", "pw"),
        ("acr", "myregistry.azurecr.io", ACR_REFRESH_TOKEN_USER, "refresh-token"),
        ("harbor", "harbor.example.com:8443", "robot$kiln", "pw"),
        ("managed", "127.0.0.1:5000", None, None),
    ],
)
def test_sensible_combinations(
    kind: str, url: str, username: str | None, secret: str | None
) -> None:
    validate_registry(kind, url, username, secret)


@pytest.mark.parametrize(
    ("kind", "url", "username", "secret", "message"),
    [
        ("quay", "quay.io", None, None, "unknown registry kind 'quay'"),
        ("generic", "", None, None, "url"),
        ("ghcr", "docker.io", "octocat", "ghp_S3cret", "lives at ghcr.io, not docker.io"),
        ("ghcr", "ghcr.io", None, None, "GitHub App installation tokens are not accepted"),
        ("acr", "myregistry.example.com", "u", "S3cret!", "end in .azurecr.io"),
        ("acr", ".azurecr.io", "u", "S3cret!", "end in .azurecr.io"),
        ("acr", "myregistry.azurecr.io", None, None, "needs a username and a token"),
        ("generic", "r.example.com", "bot", None, "needs a secret"),
        ("generic", "r.example.com", "bot", "", "needs a secret"),
        ("generic", "r.example.com", None, "S3cret!", "needs a username"),
    ],
)
def test_nonsense_combinations(
    kind: str, url: str, username: str | None, secret: str | None, message: str
) -> None:
    with pytest.raises(UserError, match=message) as caught:
        validate_registry(kind, url, username, secret)
    assert "\n" not in str(caught.value)
    if secret:
        assert secret not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("ghcr.io", "ghcr.io"),
        ("https://Foo.azurecr.io:443/team", "foo.azurecr.io"),
        ("127.0.0.1:5000", "127.0.0.1"),
        ("[::1]:5000", "[::1]"),
    ],
)
def test_registry_host(url: str, host: str) -> None:
    assert registry_host(url) == host


def test_kinds_table() -> None:
    assert set(KINDS) == {"generic", "ghcr", "acr", "harbor", "managed"}
    assert KINDS["ghcr"].host == "ghcr.io" and KINDS["acr"].host_suffix == ".azurecr.io"
    assert is_acr_refresh_token(ACR_REFRESH_TOKEN_USER) and not is_acr_refresh_token("bot")
