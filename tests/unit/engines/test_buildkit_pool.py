"""The BuildKit pool's scheduling: least busy, app affinity, a lost daemon taken out and retried.

The daemons here are stand-ins for the scheduling logic; tests/integration/test_buildkit_engine.py
proves the retry with two real buildkitd daemons, one stopped.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from kiln.engines.base import BuildRequest, BuildResult
from kiln.engines.buildkit.pool import BuildKitPool, affinity_rank
from kiln.errors import BuildFailed, EngineError
from kiln.logs.reporter import Reporter
from kiln.refs import ImageRef


def request(app: str = "app") -> BuildRequest:
    return BuildRequest(
        context_dir=Path("/nonexistent"),
        dockerfile=Path("/nonexistent/Dockerfile"),
        tags=[ImageRef("registry.test", f"ws/{app}", "v1")],
    )


class Daemons:
    """Engines and a probe over named daemons that answer, fail builds, hang or are down."""

    def __init__(self, down: set[str] = frozenset(), failing: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.down = set(down)
        self.failing = set(failing)
        self.hanging: set[str] = set()
        self.built_on: list[str] = []

    def engine_for(self, host: str) -> Daemons.Engine:
        return Daemons.Engine(self, host)

    async def probe(self, host: str) -> bool:
        return host not in self.down

    class Engine:
        name = "stand-in"

        def __init__(self, daemons: Daemons, host: str) -> None:
            self.daemons, self.host = daemons, host

        async def build(self, request: BuildRequest, report: Reporter) -> BuildResult:
            if self.host in self.daemons.hanging:
                await asyncio.sleep(3600)
            if self.host in self.daemons.down:
                raise BuildFailed(f"connection refused: {self.host}")
            if self.host in self.daemons.failing:
                raise BuildFailed("RUN npm ci: exit code 1")
            self.daemons.built_on.append(self.host)
            return BuildResult(image_id=f"id-{self.host}", digest=f"sha256:{self.host}")


def pool(daemons: Daemons, hosts: list[str], **kwargs: float) -> BuildKitPool:
    return BuildKitPool(hosts, engine_for=daemons.engine_for, probe=daemons.probe, **kwargs)  # type: ignore[arg-type]


def test_builds_go_to_the_least_busy_daemon() -> None:
    subject = pool(Daemons(), ["a", "b", "c"], affinity_slack=0)
    subject.daemons["a"].active = 2
    subject.daemons["b"].active = 0
    subject.daemons["c"].active = 1
    for app in ("one", "two", "three", "four"):
        chosen = subject.choose(app)
        assert chosen is not None and chosen.host == "b"


def test_an_app_sticks_to_its_daemon_unless_it_is_much_busier() -> None:
    hosts = ["a", "b", "c"]
    subject = pool(Daemons(), hosts, affinity_slack=1)
    preferred = affinity_rank("ws/app", hosts)[0]
    assert {subject.choose("ws/app").host for _ in range(5)} == {preferred}  # type: ignore[union-attr]
    subject.daemons[preferred].active = 1  # one more than the others: still within the slack
    assert subject.choose("ws/app").host == preferred  # type: ignore[union-attr]
    subject.daemons[preferred].active = 2  # two more: the least busy wins
    chosen = subject.choose("ws/app")
    assert chosen is not None and chosen.host != preferred
    # different apps spread over the daemons
    spread = {subject.choose(f"ws/app-{i}").host for i in range(40)}  # type: ignore[union-attr]
    assert len(spread) >= 2


def test_affinity_survives_adding_a_daemon_for_most_apps() -> None:
    apps = [f"ws/app-{i}" for i in range(200)]
    before = {app: affinity_rank(app, ["a", "b", "c"])[0] for app in apps}
    after = {app: affinity_rank(app, ["a", "b", "c", "d"])[0] for app in apps}
    moved = [app for app in apps if before[app] != after[app]]
    assert all(after[app] == "d" for app in moved)
    assert 0 < len(moved) < 100


async def test_a_daemon_that_stopped_answering_is_taken_out_and_the_build_retried() -> None:
    daemons = Daemons()
    hosts = ["a", "b"]
    subject = pool(daemons, hosts, affinity_slack=0)
    preferred = affinity_rank("registry.test/ws/app", hosts)[0]
    other = next(h for h in hosts if h != preferred)
    daemons.down.add(preferred)
    lines: list[str] = []
    result = await subject.build(request(), Reporter(lines.append))
    assert result.digest == f"sha256:{other}"
    assert daemons.built_on == [other]
    assert any(f"{preferred} stopped answering" in line for line in lines)
    assert subject.choose("registry.test/ws/app").host == other  # type: ignore[union-attr]
    assert all(d.active == 0 for d in subject.daemons.values())


async def test_a_failed_build_on_a_daemon_that_answers_is_not_retried() -> None:
    daemons = Daemons(failing={"a", "b"})
    subject = pool(daemons, ["a", "b"])
    with pytest.raises(BuildFailed, match="npm ci"):
        await subject.build(request(), Reporter(lambda _: None))
    assert all(d.down_until == 0.0 for d in subject.daemons.values())


async def test_a_daemon_that_hangs_mid_build_is_abandoned_for_another() -> None:
    daemons = Daemons()
    hosts = ["a", "b"]
    subject = pool(daemons, hosts, affinity_slack=0, probe_interval=0.01)
    preferred = affinity_rank("registry.test/ws/app", hosts)[0]
    daemons.hanging.add(preferred)
    daemons.down.add(preferred)  # its probes fail from now on
    result = await asyncio.wait_for(subject.build(request(), Reporter(lambda _: None)), 10)
    assert result.image_id != f"id-{preferred}"


async def test_no_daemon_answering_is_a_transient_engine_error() -> None:
    daemons = Daemons(down={"a", "b"})
    subject = pool(daemons, ["a", "b"])
    with pytest.raises(EngineError, match="no BuildKit daemon answers"):
        await subject.build(request(), Reporter(lambda _: None))


def test_a_pool_needs_a_daemon() -> None:
    with pytest.raises(EngineError, match="KILN_BUILDKIT_HOST"):
        BuildKitPool([])
