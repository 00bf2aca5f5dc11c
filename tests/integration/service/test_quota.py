"""Registry quota against a real registry filled by real builds that share base layers."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from kiln.store.db import Database
from kiln.store.tables import Image
from tests.support.servers import Registry
from tests.support.service import RunningService

pytestmark = pytest.mark.integration

DOCKERFILE = """ARG KILN_BASE_RUNTIME
FROM ${KILN_BASE_RUNTIME}
RUN head -c 5000000 /dev/urandom > /blob-{nonce}
"""
MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def commit(repo: Path, nonce: str) -> None:
    (repo / "Dockerfile").write_text(DOCKERFILE.replace("{nonce}", nonce))
    identity = ["-c", "user.name=t", "-c", "user.email=t@kiln.dev"]
    if not (repo / ".git").exists():
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", *identity, "commit", "-qm", nonce], cwd=repo, check=True)


def registry_blobs(registry: Registry, repository: str, digest: str) -> dict[str, int]:
    manifest = httpx.get(
        f"{registry.url}/v2/{repository}/manifests/{digest}", headers={"Accept": MANIFEST}
    ).json()
    blobs = [manifest["config"], *manifest["layers"]]
    return {b["digest"]: b["size"] for b in blobs}


async def build_images(
    service: RunningService,
    registry: Registry,
    tmp_path: Path,
    apps: dict[str, int],
    kind: str = "generic",
) -> str:
    namespace = f"quota-{uuid.uuid4().hex[:8]}"
    await service.api("POST", "/workspaces", {"slug": "acme", "name": "Acme"})
    await service.api(
        "POST", "/workspaces/acme/registries",
        {"name": "local", "kind": kind, "url": registry.address, "namespace": namespace,
         "is_default": True},
    )  # fmt: skip
    for app, count in apps.items():
        repo = tmp_path / app
        repo.mkdir()
        await service.api(
            "POST", "/workspaces/acme/apps", {"slug": app, "repo_url": str(repo), "branch": "main"}
        )
        for index in range(count):
            commit(repo, f"{app}-{index}-{uuid.uuid4().hex}")
            build = (await service.api("POST", f"/workspaces/acme/apps/{app}/builds", {})).json()
            events = await service.events(build["id"])
            assert events[-1][1] == {"status": "built"}, build
    return namespace


async def test_usage_cleanup_protections_and_dry_run(
    service: RunningService, registry: Registry, tmp_path: Path
) -> None:
    namespace = await build_images(service, registry, tmp_path, {"web": 7, "solo": 1})
    check = (await service.api("POST", "/workspaces/acme/registries/local/test")).json()
    assert check["ok"] is True and "push" in check["message"]
    images = (await service.api("GET", "/workspaces/acme/images")).json()
    assert {i["app"] for i in images} == {"web", "solo"}
    assert sum(1 for i in images if i["tag"] == "latest") == 2

    # usage = unique blobs, as the registry itself describes the manifests
    expected: dict[str, int] = {}
    for digest in {(i["repository"], i["digest"]) for i in images}:
        expected.update(registry_blobs(registry, *digest))
    usage = (await service.api("GET", "/workspaces/acme/registry-usage")).json()
    assert usage["used_bytes"] == sum(expected.values())
    assert usage["used_bytes"] < sum(i["size_bytes"] for i in images if i["tag"] != "latest")

    quota = int(usage["used_bytes"] / 0.85)
    patched = await service.api("PATCH", "/workspaces/acme", {"quota_bytes": quota})
    assert patched.status_code == 200 and patched.json()["quota_bytes"] == quota
    assert (await service.api("PATCH", "/workspaces/acme", {"quota_bytes": 0})).status_code == 422

    oldest_web = min((i for i in images if i["app"] == "web"), key=lambda i: i["pushed_at"])
    pin = {"pinned_digest": oldest_web["digest"]}
    assert (await service.api("PATCH", "/workspaces/acme/apps/web", pin)).status_code == 200

    dry = (await service.api("POST", "/workspaces/acme/registry-cleanup", {"dry_run": True})).json()
    assert oldest_web["digest"] not in {r["digest"] for r in dry["removed"]}
    assert any(k["reason"] == "pinned as the app's current image" for k in dry["kept_protected"])
    assert dry["triggered"] and dry["removed"] and dry["after_bytes"] <= quota * 0.7
    for removed in dry["removed"]:  # a dry run deletes nothing
        assert registry_blobs(registry, removed["repository"], removed["digest"])

    real = (await service.api("POST", "/workspaces/acme/registry-cleanup", {})).json()
    assert [r["digest"] for r in real["removed"]] == [r["digest"] for r in dry["removed"]]
    after = (await service.api("GET", "/workspaces/acme/registry-usage")).json()
    assert after["used_bytes"] == real["after_bytes"] <= quota * 0.7
    for removed in real["removed"]:
        assert "latest" not in removed["tags"] and removed["app"] == "web"
        gone = httpx.head(
            f"{registry.url}/v2/{removed['repository']}/manifests/{removed['digest']}"
        )
        assert gone.status_code == 404
    remaining = (await service.api("GET", "/workspaces/acme/images")).json()
    assert any(i["app"] == "solo" for i in remaining)
    assert any(i["app"] == "web" and i["tag"] == "latest" for i in remaining)
    assert namespace in remaining[0]["repository"]
    history = (await service.api("GET", "/workspaces/acme/cleanup-runs")).json()
    assert [run["dry_run"] for run in history] == [False, True]
    assert history[0]["removed"] == real["removed"]


async def test_interrupted_delete_is_repaired_and_cleanups_do_not_overlap(
    service: RunningService, registry: Registry, tmp_path: Path
) -> None:
    await build_images(service, registry, tmp_path, {"web": 4})
    images = (await service.api("GET", "/workspaces/acme/images")).json()
    oldest = min(images, key=lambda i: i["pushed_at"])
    # a crash after the registry delete, before the record update
    response = httpx.delete(
        f"{registry.url}/v2/{oldest['repository']}/manifests/{oldest['digest']}"
    )
    assert response.status_code == 202
    db = Database(service.settings.database)
    async with db.session() as session, session.begin():
        await session.execute(
            update(Image)
            .where(Image.digest == oldest["digest"])
            .values(deleting_at=Image.pushed_at)
        )
    await db.close()

    first, second = await asyncio.gather(
        service.api("POST", "/workspaces/acme/registry-cleanup", {"dry_run": False}),
        service.api("POST", "/workspaces/acme/registry-cleanup", {"dry_run": False}),
    )
    assert sorted([first.status_code, second.status_code]) in ([200, 200], [200, 409])
    remaining = (await service.api("GET", "/workspaces/acme/images")).json()
    assert oldest["digest"] not in {i["digest"] for i in remaining}


async def test_a_build_into_a_managed_registry_cleans_up_first(
    service: RunningService, registry: Registry, tmp_path: Path
) -> None:
    await build_images(service, registry, tmp_path, {"web": 4}, kind="managed")
    usage = (await service.api("GET", "/workspaces/acme/registry-usage")).json()
    await service.api("PATCH", "/workspaces/acme", {"quota_bytes": int(usage["used_bytes"] / 0.9)})
    commit(tmp_path / "web", f"web-next-{uuid.uuid4().hex}")
    build = (await service.api("POST", "/workspaces/acme/apps/web/builds", {})).json()
    events = await service.events(build["id"])
    assert events[-1][1] == {"status": "built"}
    lines = [data["line"] for event, data, _ in events if event == "message"]
    assert any(line.startswith("quota: deleted") for line in lines), lines[:40]
    runs = (await service.api("GET", "/workspaces/acme/images")).json()
    assert len({i["digest"] for i in runs}) < 5


async def test_retention_preview_and_apply(
    service: RunningService, registry: Registry, tmp_path: Path
) -> None:
    await build_images(service, registry, tmp_path, {"web": 4})
    assert (await service.api("GET", "/workspaces/acme/retention")).json() == {
        "rules": [], "protected_tags": ["latest"],
    }  # fmt: skip
    bad = await service.api(
        "PUT", "/workspaces/acme/retention", {"rules": [{"keep_newest": 1, "tags": ["a b"]}]}
    )
    assert bad.status_code == 422 and "invalid pattern" in bad.json()["error"]["message"]
    policy = {"rules": [{"keep_newest": 2}], "protected_tags": ["latest"]}
    assert (await service.api("PUT", "/workspaces/acme/retention", policy)).status_code == 200

    preview = (
        await service.api("POST", "/workspaces/acme/retention/apply", {"dry_run": True})
    ).json()
    assert len(preview["removed"]) == 2
    images = (await service.api("GET", "/workspaces/acme/images")).json()
    assert len({i["digest"] for i in images}) == 4  # the preview deleted nothing

    applied = (await service.api("POST", "/workspaces/acme/retention/apply", {})).json()
    assert [r["digest"] for r in applied["removed"]] == [r["digest"] for r in preview["removed"]]
    images = (await service.api("GET", "/workspaces/acme/images")).json()
    assert len({i["digest"] for i in images}) == 2
