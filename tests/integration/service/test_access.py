"""The access-control matrix: every API route (read from the OpenAPI document, so a new route
cannot be forgotten) x {anonymous, outsider, member, admin, owner} against its declared role."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from kiln.service.access import (
    Role,
    add_member_by_email,
    create_token,
    create_user,
    revoke_token,
)
from kiln.store.db import Database
from tests.snapshots.plans_of import EXAMPLES
from tests.support.servers import Registry
from tests.support.service import RunningService, git_repo

pytestmark = [pytest.mark.integration, pytest.mark.security]
RANK = {"authenticated": 0, "member": 1, "admin": 2, "owner": 3}
PRINCIPALS = {"outsider": 0, "member": 1, "admin": 2, "owner": 3}
BODIES: dict[tuple[str, str], Any] = {
    ("post", "/api/v1/workspaces"): {"slug": "fresh", "name": "Fresh"},
    ("post", "/api/v1/workspaces/{ws}/registries"): {"name": "fresh", "kind": "generic",
                                                     "url": "127.0.0.1:1"},
    ("post", "/api/v1/workspaces/{ws}/apps"): {"slug": "fresh", "repo_url": "/tmp/x"},
    ("patch", "/api/v1/workspaces/{ws}/apps/{app}"): {"move_latest": True},
    ("patch", "/api/v1/workspaces/{ws}"): {"name": "Acme"},
    ("post", "/api/v1/workspaces/{ws}/apps/{app}/builds"): {},
    ("post", "/api/v1/workspaces/{ws}/registry-cleanup"): {"dry_run": True},
    ("put", "/api/v1/workspaces/{ws}/retention"): {"rules": []},
    ("post", "/api/v1/workspaces/{ws}/retention/apply"): {"dry_run": True},
    ("put", "/api/v1/workspaces/{ws}/apps/{app}/secrets"): {"secrets": {}},
}  # fmt: skip


async def tokens(service: RunningService) -> dict[str, str]:
    db = Database(service.settings.database)
    found: dict[str, str] = {}
    try:
        for who in PRINCIPALS:
            email = f"{who}@kiln.dev"
            await create_user(db, email, who, None)
            found[who] = await create_token(db, email, "test")
        await add_member_by_email(db, "outsider@kiln.dev", "other", Role.OWNER)
        for who in ("member", "admin", "owner"):
            await add_member_by_email(db, f"{who}@kiln.dev", "acme", Role(who))
    finally:
        await db.close()
    return found


async def test_every_route_enforces_its_role(
    service: RunningService, registry: Registry, tmp_path: Path
) -> None:
    for slug in ("acme", "other"):
        await service.api("POST", "/workspaces", {"slug": slug, "name": slug})
    await service.api("POST", "/workspaces/acme/registries",
                      {"name": "local", "kind": "generic", "url": registry.address,
                       "is_default": True})  # fmt: skip
    git_repo(EXAMPLES / "static-site", tmp_path / "repo")
    app = {"slug": "web", "repo_url": str(tmp_path / "repo"), "branch": "main"}
    await service.api("POST", "/workspaces/acme/apps", app)
    build = (await service.api("POST", "/workspaces/acme/apps/web/builds", {})).json()
    await service.events(build["id"])
    keys = await tokens(service)

    spec = (await service.http.get("/api/openapi.json")).json()
    checked = 0
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/v1/") or path.startswith("/api/v1/hooks/"):
            continue
        for method, operation in operations.items():
            role = operation.get("x-kiln-role")
            if role == "public":  # logging in and out
                continue
            assert role in RANK, f"{method.upper()} {path} declares no role"
            for who, rank in [("anonymous", -1), *PRINCIPALS.items()]:
                url, body = await prepare(service, path, method, build["id"])
                headers = {"Authorization": f"Bearer {keys[who]}" if who in keys else ""}
                response = await service.http.request(
                    method.upper(), url, json=body, headers=headers
                )
                status = response.status_code
                context = f"{who} {method.upper()} {path} → {status} {response.text[:200]}"
                if who == "anonymous":
                    assert status == 401, context
                elif who == "outsider" and role != "authenticated":
                    assert status == 404, context
                elif rank < RANK[role]:
                    assert status == 403, context
                else:
                    assert status not in (401, 403, 404), context
                checked += 1
    assert checked >= 5 * 25


async def prepare(
    service: RunningService, path: str, method: str, build_id: str
) -> tuple[str, Any]:
    """The URL and body for one call; deletions get a fresh object each time."""
    suffix = uuid.uuid4().hex[:8]
    values = {"ws": "acme", "app": "web", "name": "local", "build_id": build_id}
    if method == "delete" and "{name}" in path:
        values["name"] = f"tmp-{suffix}"
        extra = {"name": values["name"], "kind": "generic", "url": "127.0.0.1:1"}
        await service.api("POST", "/workspaces/acme/registries", extra)
    if method == "delete" and path.endswith("{app}"):
        values["app"] = f"tmp-{suffix}"
        await service.api("POST", "/workspaces/acme/apps",
                          {"slug": values["app"], "repo_url": "/tmp/x"})  # fmt: skip
    body = BODIES.get((method, path))
    if isinstance(body, dict) and "slug" in body:
        body = {**body, "slug": f"fresh-{suffix}"}
    if isinstance(body, dict) and body.get("name") == "fresh":
        body = {**body, "name": f"fresh-{suffix}"}
    return path.format(**values), body


async def test_tokens_are_stored_hashed_and_listing_is_scoped(service: RunningService) -> None:
    for slug in ("acme", "other"):
        await service.api("POST", "/workspaces", {"slug": slug, "name": slug})
    keys = await tokens(service)
    db = Database(service.settings.database)
    try:
        async with db.session() as session:
            stored = (
                await session.execute(text("SELECT token_hash, prefix FROM api_tokens"))
            ).all()
    finally:
        await db.close()
    assert stored and all(keys["member"] not in row[0] for row in stored)
    listing = await service.http.get(
        "/api/v1/workspaces", headers={"Authorization": f"Bearer {keys['member']}"}
    )
    assert [w["slug"] for w in listing.json()] == ["acme"]
    created = await service.http.post(
        "/api/v1/workspaces", json={"slug": "mine", "name": "Mine"},
        headers={"Authorization": f"Bearer {keys['member']}"},
    )  # fmt: skip
    assert created.status_code == 201
    owner_call = await service.http.patch(
        "/api/v1/workspaces/mine", json={"quota_bytes": 10**9},
        headers={"Authorization": f"Bearer {keys['member']}"},
    )  # fmt: skip
    assert owner_call.status_code == 200  # the creator owns the new workspace
    bogus = await service.http.get("/api/v1/workspaces", headers={"Authorization": "Bearer kiln_x"})
    assert bogus.status_code == 401


async def test_scoped_and_revoked_tokens(service: RunningService) -> None:
    for slug in ("acme", "other"):
        await service.api("POST", "/workspaces", {"slug": slug, "name": slug})
    db = Database(service.settings.database)
    try:
        await create_user(db, "ops@kiln.dev", "Ops", None)
        for slug in ("acme", "other"):
            await add_member_by_email(db, "ops@kiln.dev", slug, Role.OWNER)
        scoped = await create_token(db, "ops@kiln.dev", "ci", workspace="acme", role=Role.MEMBER)
    finally:
        await db.close()
    headers = {"Authorization": f"Bearer {scoped}"}
    listing = await service.http.get("/api/v1/workspaces", headers=headers)
    assert [w["slug"] for w in listing.json()] == ["acme"]
    assert (await service.http.get("/api/v1/workspaces/other", headers=headers)).status_code == 404
    read = await service.http.get("/api/v1/workspaces/acme/apps", headers=headers)
    assert read.status_code == 200
    registry = {"name": "r", "kind": "generic", "url": "x.io"}
    write = await service.http.post(
        "/api/v1/workspaces/acme/registries", headers=headers, json=registry
    )
    assert write.status_code == 403  # the token is capped at member, the user is an owner

    db = Database(service.settings.database)
    try:
        assert await revoke_token(db, scoped[:11]) == 1
    finally:
        await db.close()
    assert (await service.http.get("/api/v1/workspaces", headers=headers)).status_code == 401
