"""Builds through the REST API, end to end: HTTP → Temporal → git → buildah → registry → SSE."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.snapshots.plans_of import EXAMPLES
from tests.support.servers import Registry
from tests.support.service import RunningService, git_repo

pytestmark = pytest.mark.integration


async def setup_app(
    service: RunningService, registry: Registry, repo_url: str, app: str = "web"
) -> None:
    assert (
        await service.api("POST", "/workspaces", {"slug": "acme", "name": "Acme"})
    ).status_code == 201
    response = await service.api(
        "POST", "/workspaces/acme/registries",
        {"name": "local", "kind": "generic", "url": registry.address, "namespace": "acme",
         "is_default": True},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    response = await service.api(
        "POST", "/workspaces/acme/apps", {"slug": app, "repo_url": repo_url, "branch": "main"}
    )
    assert response.status_code == 201, response.text


async def trigger(service: RunningService, app: str = "web", **body: Any) -> httpx.Response:
    return await service.api("POST", f"/workspaces/acme/apps/{app}/builds", body)


def registry_digest(registry: Registry, repository: str, tag: str) -> str | None:
    response = httpx.head(
        f"{registry.url}/v2/{repository}/manifests/{tag}",
        headers={"Accept": "application/vnd.oci.image.manifest.v1+json"},
    )
    return response.headers.get("Docker-Content-Digest") if response.status_code == 200 else None


async def test_trigger_stream_and_digest(
    service: RunningService, registry: Registry, tmp_path: Path
) -> None:
    commit = git_repo(EXAMPLES / "node-express", tmp_path / "repo")
    await setup_app(service, registry, str(tmp_path / "repo"))
    response = await trigger(service)
    assert response.status_code == 202, response.text
    build = response.json()
    assert build["status"] == "pending" and build["commit_sha"] == commit and build["number"] == 1

    events = await service.events(build["id"])
    statuses = [data["status"] for event, data, _ in events if event == "status"]
    assert statuses == ["pending", "cloning", "analyzing", "building", "pushing", "built"]
    assert events[-1] == ("end", {"status": "built"}, None)
    lines = [data for event, data, _ in events if event == "message"]
    assert [line["seq"] for line in lines] == list(range(1, len(lines) + 1))
    assert {line["step"] for line in lines} >= {"clone", "analyze", "build", "push"}

    final = (await service.api("GET", f"/builds/{build['id']}")).json()
    assert final["status"] == "built"
    assert final["image_ref"] == f"{registry.address}/acme/web:{commit[:12]}"
    assert final["digest"] == registry_digest(registry, "acme/web", commit[:12])
    assert final["digest"] == registry_digest(registry, "acme/web", "latest")
    assert final["commit_message"] == "first commit" and final["size_bytes"] > 0
    assert [s["name"] for s in final["steps"]] == ["clone", "analyze", "build", "push"]
    assert all(s["status"] == "done" and s["duration_seconds"] >= 0 for s in final["steps"])

    text = await service.http.get(f"/api/v1/builds/{build['id']}/logs")
    assert text.status_code == 200 and "npm ci" in text.text

    # The same commit again: the image exists with this plan, so nothing is rebuilt.
    again = await trigger(service)
    assert again.status_code == 202
    events = await service.events(again.json()["id"])
    assert events[-1][1] == {"status": "built"}
    again_lines = [data["line"] for event, data, _ in events if event == "message"]
    assert any("not rebuilding" in line for line in again_lines)
    assert not any("STEP" in line for line in again_lines)
    skipped = (await service.api("GET", f"/builds/{again.json()['id']}")).json()
    assert skipped["digest"] == final["digest"] and skipped["number"] == 2


async def test_sse_resume_loses_and_repeats_nothing(
    service: RunningService, registry: Registry, tmp_path: Path
) -> None:
    git_repo(EXAMPLES / "static-site", tmp_path / "repo")
    await setup_app(service, registry, str(tmp_path / "repo"), app="site")
    build = (await trigger(service, app="site")).json()
    everything = [e for e in await service.events(build["id"]) if e[0] == "message"]
    assert len(everything) > 5
    cut = everything[len(everything) // 2][2]
    assert cut is not None
    resumed = [e for e in await service.events(build["id"], int(cut)) if e[0] == "message"]
    assert resumed == everything[len(everything) // 2 + 1 :]


async def test_duplicate_trigger_attaches(
    service: RunningService, registry: Registry, tmp_path: Path
) -> None:
    git_repo(EXAMPLES / "go-http", tmp_path / "repo")
    await setup_app(service, registry, str(tmp_path / "repo"), app="api")
    first, second = await asyncio.gather(trigger(service, app="api"), trigger(service, app="api"))
    ids = {first.json()["id"], second.json()["id"]}
    assert len(ids) == 1, (first.text, second.text)
    assert sorted([first.status_code, second.status_code]) == [200, 202]
    await service.events(first.json()["id"])
    forced = await trigger(service, app="api", force=True)
    assert forced.status_code == 202 and forced.json()["id"] not in ids
    await service.events(forced.json()["id"])


async def test_failing_build_has_a_summary_and_can_be_retried(
    service: RunningService, registry: Registry, tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "package.json").write_text(
        '{"name": "broken", "scripts": {"start": "node x.js"}, '
        '"dependencies": {"kiln-no-such-package-xyz": "1.0.0"}}'
    )
    git_repo(broken, tmp_path / "repo")
    await setup_app(service, registry, str(tmp_path / "repo"))
    build = (await trigger(service)).json()
    events = await service.events(build["id"])
    assert events[-1][1] == {"status": "failed"}
    failed = (await service.api("GET", f"/builds/{build['id']}")).json()
    assert failed["error_summary"] and "kiln-no-such-package-xyz" in failed["error_summary"]
    assert failed["error_suggestion"]
    assert failed["steps"][-1]["status"] == "failed"

    retry = await service.api("POST", f"/builds/{build['id']}/retry")
    assert retry.status_code == 202
    assert retry.json()["retry_of"] == build["id"] and retry.json()["trigger"] == "retry"
    await service.events(retry.json()["id"])


async def test_cancel_stops_the_build_within_seconds(
    service: RunningService, registry: Registry, tmp_path: Path
) -> None:
    slow = tmp_path / "slow"
    slow.mkdir()
    marker = f"kiln-cancel-{tmp_path.name}"
    (slow / "Dockerfile").write_text(
        f"ARG KILN_BASE_RUNTIME\nFROM ${{KILN_BASE_RUNTIME}}\nRUN echo {marker} && sleep 600\n"
    )
    git_repo(slow, tmp_path / "repo")
    await setup_app(service, registry, str(tmp_path / "repo"))
    build = (await trigger(service)).json()

    async def wait_for_marker() -> None:
        while True:
            text = (await service.http.get(f"/api/v1/builds/{build['id']}/logs")).text
            if any(line.strip() == marker for line in text.splitlines()):
                return
            await asyncio.sleep(0.3)

    await asyncio.wait_for(wait_for_marker(), 180)
    started = asyncio.get_running_loop().time()
    cancel = await service.api("POST", f"/builds/{build['id']}/cancel")
    assert cancel.status_code == 202
    events = await service.events(build["id"])
    assert events[-1][1] == {"status": "cancelled"}
    assert asyncio.get_running_loop().time() - started < 15
    survivors = subprocess.run(["pgrep", "-af", marker], capture_output=True, text=True).stdout
    assert survivors == ""
    again = await service.api("POST", f"/builds/{build['id']}/cancel")
    assert again.status_code == 409
