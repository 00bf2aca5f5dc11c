"""Bad input through the REST API: clear JSON errors with the right status codes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.snapshots.plans_of import EXAMPLES
from tests.support.servers import Registry
from tests.support.service import RunningService, git_repo

pytestmark = pytest.mark.integration


def error_of(response: httpx.Response) -> dict[str, str]:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    error: dict[str, str] = body["error"]
    return error


async def test_errors_are_json_with_status_codes(
    service: RunningService, registry: Registry, tmp_path: Path
) -> None:
    anonymous = await service.http.get("/api/v1/workspaces", headers={"Authorization": ""})
    assert anonymous.status_code == 401 and error_of(anonymous)["code"] == "unauthorized"
    wrong = await service.http.get("/api/v1/workspaces", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401

    assert (
        await service.api("POST", "/workspaces", {"slug": "acme", "name": "A"})
    ).status_code == 201
    duplicate = await service.api("POST", "/workspaces", {"slug": "acme", "name": "A"})
    assert duplicate.status_code == 409 and "already exists" in error_of(duplicate)["message"]
    bad_slug = await service.api("POST", "/workspaces", {"slug": "Not A Slug", "name": "x"})
    assert bad_slug.status_code == 422 and "slug" in error_of(bad_slug)["message"]

    missing = await service.api("GET", "/workspaces/acme/apps/nope")
    assert missing.status_code == 404 and error_of(missing)["message"] == "app 'nope' not found"
    assert (
        await service.api("GET", "/builds/00000000-0000-0000-0000-000000000000")
    ).status_code == 404
    unknown_ws = await service.api("POST", "/workspaces/ghost/apps/x/builds", {})
    assert unknown_ws.status_code == 404

    for url in (
        "ext::sh -c touch% /tmp/pwned",
        "--upload-pack=touch /tmp/x",
        "https://u:p@h/r",
        "http://169.254.169.254/latest/meta-data",
        "fd::17",
    ):
        refused = await service.api(
            "POST", "/workspaces/acme/apps", {"slug": "evil", "repo_url": url}
        )
        assert refused.status_code == 422, (url, refused.text)
    bad_ref = await service.api(
        "POST", "/workspaces/acme/apps", {"slug": "app", "repo_url": "/tmp/x", "branch": "-x"}
    )
    assert bad_ref.status_code == 422

    git_repo(EXAMPLES / "static-site", tmp_path / "repo")
    created = await service.api(
        "POST", "/workspaces/acme/apps", {"slug": "site", "repo_url": str(tmp_path / "repo")}
    )
    assert created.status_code == 201
    no_registry = await service.api("POST", "/workspaces/acme/apps/site/builds", {})
    assert no_registry.status_code == 409
    assert "no registry" in error_of(no_registry)["message"]
    assert "registries" in error_of(no_registry)["message"]  # says how to fix it

    await service.api(
        "POST", "/workspaces/acme/registries",
        {"name": "local", "kind": "generic", "url": registry.address, "is_default": True},
    )  # fmt: skip
    missing_ref = await service.api("POST", "/workspaces/acme/apps/site/builds", {"ref": "nope"})
    assert missing_ref.status_code == 404 and "not found" in error_of(missing_ref)["message"]
    bad_status = await service.api("GET", "/workspaces/acme/apps/site/builds?status=weird")
    assert bad_status.status_code == 422

    huge = await service.http.post(
        "/api/v1/workspaces", content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    assert huge.status_code == 413 and error_of(huge)["code"] == "too_large"


async def test_secrets_are_write_only(service: RunningService) -> None:
    await service.api("POST", "/workspaces", {"slug": "acme", "name": "A"})
    secret = "s3cr3t-registry-token-value"
    created = await service.api(
        "POST", "/workspaces/acme/registries",
        {"name": "ghcr", "kind": "ghcr", "url": "ghcr.io", "namespace": "acme",
         "username": "bot", "secret": secret},
    )  # fmt: skip
    assert created.status_code == 201
    assert secret not in created.text and created.json()["has_secret"] is True
    listing = await service.api("GET", "/workspaces/acme/registries")
    assert secret not in listing.text
    wrong = await service.api(
        "POST", "/workspaces/acme/registries",
        {"name": "bad", "kind": "ghcr", "url": "registry.example.com", "username": "u",
         "secret": "s"},
    )  # fmt: skip
    assert wrong.status_code == 422
    openapi = await service.http.get("/api/openapi.json")
    assert (
        openapi.status_code == 200 and "/api/v1/builds/{build_id}/logs" in openapi.json()["paths"]
    )
