"""Scale-out: two `kiln worker` processes (each with its own data directory, as if on two hosts)
share one PostgreSQL and one Temporal behind `kiln serve --no-worker`. Eight builds spread over
both; one worker is killed with SIGKILL in the middle of a build, which then ends `built` on the
other worker with its log intact; no build is left running and no record is lost."""

from __future__ import annotations

import asyncio
import re
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiln.baseimages.bootstrap import BootstrapTarget, bootstrap
from kiln.baseimages.recipes import RECIPES
from kiln.config import Settings
from kiln.logs.reporter import Reporter
from kiln.pipeline.build import default_engine
from kiln.plan.bases import RUNTIME
from kiln.status import BuildStatus
from tests.support.cluster import TOKEN, Cluster
from tests.support.postgres import fresh_database, postgres_server
from tests.support.servers import Registry, require_binary
from tests.support.service import RunningService, git_repo
from tests.support.temporal import temporal_dev_server

pytestmark = [pytest.mark.integration, pytest.mark.scaleout]

DOCKERFILE = "ARG KILN_BASE_RUNTIME\nFROM ${KILN_BASE_RUNTIME}\nRUN echo quick-$(echo {nonce})\n"
# The echo prints before the sleep: once the marker is in the log, the build is mid-RUN.
SLOW = (
    "ARG KILN_BASE_RUNTIME\nFROM ${KILN_BASE_RUNTIME}\n"
    "RUN echo slow-$(echo {nonce}) && sleep 20 && echo done-$(echo {nonce})\n"
)
WORKER_LINE = re.compile(r"\[kiln\] worker (\S+) runs the (\w+) step \(attempt (\d+)\)")
RUNNING = {s.value for s in BuildStatus if not s.terminal and s != BuildStatus.PENDING}
WORKERS = {"worker-a", "worker-b"}


@pytest.fixture(scope="module")
def runtime_catalog(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalog of the runtime bases only: these builds need nothing else, and the test does not
    wait for every language's base image to be bootstrapped."""
    for binary in ("buildah", "runc", "mmdebstrap"):
        require_binary(binary)
    settings = Settings(data_dir=tmp_path_factory.mktemp("scaleout-bases"))
    asyncio.run(
        bootstrap(
            settings, BootstrapTarget(registry.address, "kiln"), default_engine(settings),
            Reporter(log=lambda _: None),
            recipes=tuple(r for r in RECIPES if r.language == RUNTIME),
        )
    )  # fmt: skip
    return settings.catalog_path


@pytest.fixture(scope="module")
def cluster(runtime_catalog: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("scaleout")
    with postgres_server() as server, temporal_dev_server(root) as temporal:
        running = Cluster(
            root=root, catalog=runtime_catalog, database_url=fresh_database(server),
            temporal_address=temporal, task_queue=f"kiln-scaleout-{uuid.uuid4().hex}",
        )  # fmt: skip
        try:
            yield running
        finally:
            running.stop()


def steps_by_worker(log: str) -> list[tuple[str, str, int]]:
    return [(m[1], m[2], int(m[3])) for m in WORKER_LINE.finditer(log)]


async def wait_for_log(service: RunningService, build_id: str, text: str) -> str:
    """The build's log once a line of it reads `text`; fails if the build ends first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 150
    while True:
        log = (await service.http.get(f"/api/v1/builds/{build_id}/logs")).text
        if any(line.strip() == text for line in log.splitlines()):
            return log
        status = (await service.api("GET", f"/builds/{build_id}")).json()["status"]
        if status not in RUNNING | {"pending"} or loop.time() > deadline:
            pytest.fail(f"no line {text!r}; build {status}; log:\n{log[-3000:]}")
        await asyncio.sleep(0.2)


async def wait_until_ended(service: RunningService, ids: list[str]) -> list[dict[str, Any]]:
    """Every build's record once all have ended; on a busy machine this may take minutes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 600
    while True:
        records = [(await service.api("GET", f"/builds/{build_id}")).json() for build_id in ids]
        if all(r["status"] not in RUNNING | {"pending"} for r in records):
            return records
        if loop.time() > deadline:
            pytest.fail(f"builds still running: {[(r['id'], r['status']) for r in records]}")
        await asyncio.sleep(1)


async def test_builds_survive_a_killed_worker(
    cluster: Cluster, registry: Registry, tmp_path: Path
) -> None:
    _, url = cluster.start_api()
    # Three build steps at a time per worker: eight builds cannot all fit on one.
    workers = {name: cluster.start_worker(name, max_builds=3) for name in sorted(WORKERS)}
    await cluster.wait_for_workers(WORKERS)
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
    ) as http:
        service = RunningService(url, Settings(), http)
        assert (await service.api("POST", "/workspaces", {"slug": "scale", "name": "S"})).is_success
        response = await service.api(
            "POST", "/workspaces/scale/registries",
            {"name": "local", "kind": "generic", "url": registry.address, "namespace": "scale",
             "is_default": True},
        )  # fmt: skip
        assert response.status_code == 201, response.text
        nonces = [uuid.uuid4().hex for _ in range(8)]
        for index, nonce in enumerate(nonces):
            source = tmp_path / f"src-{index}"
            source.mkdir()
            template = SLOW if index == 0 else DOCKERFILE
            (source / "Dockerfile").write_text(template.replace("{nonce}", nonce))
            git_repo(source, tmp_path / f"repo-{index}")
            response = await service.api(
                "POST", "/workspaces/scale/apps",
                {"slug": f"app-{index}", "repo_url": str(tmp_path / f"repo-{index}"),
                 "branch": "main"},
            )  # fmt: skip
            assert response.status_code == 201, response.text

        triggered = await asyncio.gather(
            *(service.api("POST", f"/workspaces/scale/apps/app-{i}/builds", {}) for i in range(8))
        )
        assert all(r.status_code == 202 for r in triggered), [r.text for r in triggered]
        ids = [r.json()["id"] for r in triggered]
        slow_id = ids[0]

        log = await wait_for_log(service, slow_id, f"slow-{nonces[0]}")
        victim = next(w for w, step, _ in steps_by_worker(log) if step == "build")
        survivor = (WORKERS - {victim}).pop()
        workers[victim].process.send_signal(signal.SIGKILL)
        workers[victim].process.wait(10)
        assert (await service.api("GET", f"/builds/{slow_id}")).json()["status"] in RUNNING

        records = await wait_until_ended(service, ids)
        assert [r["status"] for r in records] == ["built"] * 8, records
        finals = [(await service.events(build_id))[-1] for build_id in ids]
        assert finals == [("end", {"status": "built"}, None)] * 8
        for record in records:
            tag = record["image_ref"].split(":")[-1]
            manifest = httpx.head(
                f"{registry.url}/v2/scale/{record['app']}/manifests/{tag}",
                headers={"Accept": "application/vnd.oci.image.manifest.v1+json"},
            )
            assert manifest.headers.get("Docker-Content-Digest") == record["digest"], record
        # No record lost or left running: each app lists exactly its one build, built, with
        # every step done.
        for index, record in enumerate(records):
            page = (await service.api("GET", f"/workspaces/scale/apps/app-{index}/builds")).json()
            assert [(b["id"], b["status"]) for b in page["builds"]] == [(record["id"], "built")]
            assert {s["status"] for s in record["steps"]} == {"done"}, record["steps"]

        ran_on: dict[str, set[str]] = {name: set() for name in WORKERS}
        for build_id, nonce in zip(ids, nonces, strict=True):
            text = (await http.get(f"/api/v1/builds/{build_id}/logs")).text
            for worker, _, _ in steps_by_worker(text):
                ran_on[worker].add(build_id)
            assert (f"quick-{nonce}" if build_id != slow_id else f"done-{nonce}") in text
        assert all(len(builds) >= 2 for builds in ran_on.values()), ran_on

        # The killed build: its build step started on the victim, was retried on the survivor,
        # and the log kept one sequence without duplicates or gaps.
        events = await service.events(slow_id)
        lines = [data for event, data, _ in events if event == "message"]
        assert [line["seq"] for line in lines] == list(range(1, len(lines) + 1))
        build_steps = [
            (worker, attempt)
            for worker, step, attempt in steps_by_worker("\n".join(x["line"] for x in lines))
            if step == "build"
        ]
        assert build_steps[0] == (victim, 1)
        assert build_steps[-1][0] == survivor and build_steps[-1][1] >= 2
        assert sum(1 for x in lines if x["line"].strip() == f"slow-{nonces[0]}") == 2
        statuses = [data["status"] for event, data, _ in events if event == "status"]
        assert statuses[-1] == "built" and "building" in statuses
        assert workers[survivor].process.poll() is None
