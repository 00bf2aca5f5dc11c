"""GitHub push webhooks with real HMAC signatures → real builds; replays and forgeries refused."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiln.service.webhooks import signature_of
from tests.snapshots.plans_of import EXAMPLES
from tests.support.servers import Registry
from tests.support.service import RunningService, git_repo

pytestmark = [pytest.mark.integration, pytest.mark.security]
SECRET = "whsec-kiln-test-0123456789"


async def deliver(
    service: RunningService,
    event: str,
    payload: dict[str, Any],
    *,
    secret: str = SECRET,
    delivery: str | None = None,
) -> httpx.Response:
    body = json.dumps(payload).encode()
    return await service.http.post(
        "/api/v1/hooks/github", content=body,
        headers={
            "Authorization": "",  # webhooks carry a signature, not a token
            "Content-Type": "application/json",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
            "X-Hub-Signature-256": signature_of(secret, body),
        },
    )  # fmt: skip


async def test_signed_push_builds_the_pushed_commit(
    service: RunningService, registry: Registry, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    commit = git_repo(EXAMPLES / "static-site", repo)
    await service.api("POST", "/workspaces", {"slug": "acme", "name": "Acme"})
    await service.api(
        "POST", "/workspaces/acme/registries",
        {"name": "local", "kind": "generic", "url": registry.address, "is_default": True},
    )  # fmt: skip
    created = await service.api(
        "POST", "/workspaces/acme/apps",
        {"slug": "site", "repo_url": str(repo), "branch": "main", "webhook_secret": SECRET},
    )  # fmt: skip
    assert created.status_code == 201 and created.json()["has_webhook_secret"] is True
    assert SECRET not in created.text

    repository = {"clone_url": str(repo), "html_url": str(repo), "full_name": "acme/site"}
    assert (
        await deliver(service, "ping", {"zen": "hi", "repository": repository})
    ).status_code == 200

    push = {"ref": "refs/heads/main", "after": commit, "repository": repository}
    delivery = str(uuid.uuid4())
    response = await deliver(service, "push", push, delivery=delivery)
    assert response.status_code == 202, response.text
    [build_id] = response.json()["builds"]
    build = (await service.api("GET", f"/builds/{build_id}")).json()
    assert build["trigger"] == "webhook" and build["commit_sha"] == commit
    assert (await service.events(build_id))[-1][1] == {"status": "built"}

    replay = await deliver(service, "push", push, delivery=delivery)
    assert replay.status_code == 200 and replay.json()["duplicate"] is True
    assert replay.json()["builds"] == []
    page = (await service.api("GET", "/workspaces/acme/apps/site/builds")).json()
    assert len(page["builds"]) == 1

    forged = await deliver(service, "push", push, secret="not-the-secret-at-all")
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "bad_signature"
    other_branch = await deliver(service, "push", {**push, "ref": "refs/heads/dev"})
    assert other_branch.status_code == 202 and other_branch.json()["builds"] == []
    ignored = await deliver(service, "issues", {"action": "opened", "repository": repository})
    assert ignored.status_code == 202 and ignored.json()["builds"] == []
    garbage = await service.http.post(
        "/api/v1/hooks/github", content=b"not json",
        headers={"X-GitHub-Event": "push", "X-GitHub-Delivery": "x",
                 "X-Hub-Signature-256": signature_of(SECRET, b"not json")},
    )  # fmt: skip
    assert garbage.status_code == 422
