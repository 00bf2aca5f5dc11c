"""Hostile requests against the API: each is refused with a clear error and nothing runs.

Payloads that would execute something touch a marker file; the test checks it never appears.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.snapshots.plans_of import EXAMPLES
from tests.support.servers import Registry
from tests.support.service import RunningService, git_repo

pytestmark = [pytest.mark.integration, pytest.mark.security]
MARKER = Path(f"/tmp/kiln-pwned-{uuid.uuid4().hex}")
APPS = "/workspaces/acme/apps"
TOUCH = f"touch% {MARKER}"

CASES: list[tuple[str, str, Any, int]] = [
    # repository URLs
    ("POST", APPS, {"slug": "a1", "repo_url": f"ext::sh -c {TOUCH}"}, 422),
    ("POST", APPS, {"slug": "a2", "repo_url": "fd::17"}, 422),
    ("POST", APPS, {"slug": "a3", "repo_url": f"--upload-pack=touch {MARKER}"}, 422),
    ("POST", APPS, {"slug": "a4", "repo_url": "-oProxyCommand=x"}, 422),
    ("POST", APPS, {"slug": "a5", "repo_url": "https://user:ghp_token@github.com/a/b"}, 422),
    ("POST", APPS, {"slug": "a6", "repo_url": "https://github.com/a/b\nhttps://evil"}, 422),
    ("POST", APPS, {"slug": "a7", "repo_url": "http://169.254.169.254/latest/meta-data"}, 422),
    ("POST", APPS, {"slug": "a8", "repo_url": "ssh://-oProxyCommand=x/y"}, 422),
    ("POST", APPS, {"slug": "a9", "repo_url": "https://github.com/" + "a" * 3000}, 422),
    ("POST", APPS, {"slug": "a10", "repo_url": ""}, 422),
    # branches and refs
    ("POST", APPS, {"slug": "b1", "repo_url": "{repo}", "branch": "-x"}, 422),
    ("POST", APPS, {"slug": "b2", "repo_url": "{repo}", "branch": f"--upload-pack={MARKER}"}, 422),
    ("POST", APPS, {"slug": "b3", "repo_url": "{repo}", "branch": "a..b"}, 422),
    ("POST", APPS, {"slug": "b4", "repo_url": "{repo}", "branch": "a@{1}"}, 422),
    ("POST", APPS, {"slug": "b5", "repo_url": "{repo}", "branch": "x.lock"}, 422),
    ("POST", APPS, {"slug": "b6", "repo_url": "{repo}", "branch": "a b"}, 422),
    ("POST", APPS, {"slug": "b7", "repo_url": "{repo}", "branch": "a\u0000b"}, 422),
    ("POST", APPS, {"slug": "b8", "repo_url": "{repo}", "branch": "HEAD^"}, 422),
    ("POST", f"{APPS}/web/builds", {"ref": f"--upload-pack=touch {MARKER}"}, 422),
    ("POST", f"{APPS}/web/builds", {"ref": "-x"}, 422),
    ("POST", f"{APPS}/web/builds", {"ref": "a..b"}, 422),
    ("POST", f"{APPS}/web/builds", {"ref": "nope-" + "x" * 300}, 422),
    # paths
    ("POST", APPS, {"slug": "p1", "repo_url": "{repo}", "subdirectory": "../x"}, 422),
    ("POST", APPS, {"slug": "p2", "repo_url": "{repo}", "subdirectory": "/etc"}, 422),
    ("POST", APPS, {"slug": "p3", "repo_url": "{repo}", "subdirectory": "a/../../b"}, 422),
    ("POST", APPS, {"slug": "p4", "repo_url": "{repo}",
                    "overrides": {"dockerfile_path": "../../etc/passwd"}}, 422),
    ("POST", APPS, {"slug": "p5", "repo_url": "{repo}", "overrides": {"port": 70000}}, 422),
    ("POST", APPS, {"slug": "p6", "repo_url": "{repo}", "overrides": {"shell": "rm -rf /"}}, 422),
    ("POST", APPS, {"slug": "p7", "repo_url": "{repo}",
                    "overrides": {"language_version": "$(touch x)"}}, 422),
    # names and registries
    ("POST", "/workspaces", {"slug": "-x", "name": "x"}, 422),
    ("POST", "/workspaces", {"slug": "a" * 100, "name": "x"}, 422),
    ("POST", "/workspaces", {"slug": "ok", "name": ""}, 422),
    ("POST", APPS, {"slug": "../etc", "repo_url": "{repo}"}, 422),
    ("POST", "/workspaces/acme/registries", {"name": "r1", "kind": "evil", "url": "x.io"}, 422),
    ("POST", "/workspaces/acme/registries", {"name": "r2", "kind": "generic",
                                             "url": "169.254.169.254:5000"}, 422),
    ("POST", "/workspaces/acme/registries", {"name": "r3", "kind": "generic",
                                             "url": "host/../../x"}, 422),
    ("POST", "/workspaces/acme/registries", {"name": "r4", "kind": "generic", "url": "x.io",
                                             "namespace": "../up"}, 422),
    ("POST", "/workspaces/acme/registries", {"name": "r5", "kind": "ghcr", "url": "evil.io",
                                             "username": "u", "secret": "s"}, 422),
    ("PUT", f"{APPS}/web/secrets", {"secrets": {"KILN_BASE_RUNTIME": "x"}}, 422),
    ("PUT", f"{APPS}/web/secrets", {"secrets": {"lower": "x"}}, 422),
    ("PUT", f"{APPS}/web/secrets", {"secrets": {"BIG": "x" * 70000}}, 422),
    ("PUT", "/workspaces/acme/retention", {"rules": [{"keep_newest": 1, "tags": ["a/b"]}]}, 422),
    ("PATCH", "/workspaces/acme", {"quota_bytes": -1}, 422),
    ("GET", "/builds/%2e%2e%2fworkspaces", None, 404),
]  # fmt: skip


@pytest.fixture
async def acme(service: RunningService, registry: Registry, tmp_path: Path) -> str:
    repo = tmp_path / "repo"
    git_repo(EXAMPLES / "static-site", repo)
    await service.api("POST", "/workspaces", {"slug": "acme", "name": "Acme"})
    await service.api("POST", "/workspaces/acme/registries",
                      {"name": "local", "kind": "generic", "url": registry.address,
                       "is_default": True})  # fmt: skip
    await service.api("POST", APPS, {"slug": "web", "repo_url": str(repo), "branch": "main"})
    return str(repo)


def fill(body: Any, repo: str) -> Any:
    if isinstance(body, dict):
        return {k: fill(v, repo) for k, v in body.items()}
    return repo if body == "{repo}" else body


async def test_hostile_requests_are_refused(service: RunningService, acme: str) -> None:
    assert len(CASES) >= 40
    for method, path, body, expected in CASES:
        response = await service.api(method, path, fill(body, acme))
        context = f"{method} {path} {str(body)[:80]} → {response.status_code} {response.text[:200]}"
        assert response.status_code == expected, context
        error = response.json()["error"]
        assert error["message"] and "Traceback" not in error["message"], context
    assert not MARKER.exists()
    builds = (await service.api("GET", f"{APPS}/web/builds")).json()
    assert builds["builds"] == []  # nothing was started


async def test_malformed_bodies(service: RunningService, acme: str) -> None:
    for content in (
        b"{not json",
        b"[]",
        b"\xff\xfe",
        b'{"slug": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    ):
        headers = {"Content-Type": "application/json"}
        response = await service.http.post("/api/v1/workspaces", content=content, headers=headers)
        assert response.status_code in (400, 422), (content[:20], response.text[:200])
