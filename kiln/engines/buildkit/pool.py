"""A pool of buildkitd daemons behind the one Engine protocol.

- A build goes to the least busy daemon that answers; among daemons within `affinity_slack`
  builds of the least busy, the app's preferred one wins (rendezvous hashing of the app key), so
  an app's builds keep landing where its layer cache is, like BinderHub's sticky builds.
- While a build runs, its daemon is probed every `probe_interval` seconds; a daemon that misses
  two probes (or that a failed build leaves unreachable) is taken out for `retry_after` seconds and
  the build is retried on another daemon. A build that fails on a daemon that still answers is a
  real failure and is raised as it is.

Load is counted by this process (one pool per worker); several workers sharing daemons each see
their own builds only.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass

from kiln.engines.base import BuildRequest, BuildResult, Engine
from kiln.engines.buildkit.engine import BuildKitEngine
from kiln.errors import EngineError, KilnError
from kiln.logs.reporter import Reporter

Probe = Callable[[str], Awaitable[bool]]
PROBE_TIMEOUT_SECONDS = 5


@dataclass
class Daemon:
    host: str
    active: int = 0
    """Builds this process is running on it now."""
    down_until: float = 0.0
    """monotonic time before which it is not chosen (it stopped answering)."""


async def buildctl_probe(host: str, buildctl: str = "buildctl") -> bool:
    """True when the daemon lists its workers within PROBE_TIMEOUT_SECONDS."""
    try:
        process = await asyncio.create_subprocess_exec(
            buildctl, "--addr", host, "--timeout", str(PROBE_TIMEOUT_SECONDS), "debug", "workers",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
    except FileNotFoundError as exc:
        raise EngineError(f"{buildctl} is not installed (run `make setup`)") from exc
    try:
        return await asyncio.wait_for(process.wait(), PROBE_TIMEOUT_SECONDS + 1) == 0
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        return False


def affinity_rank(key: str, hosts: Sequence[str]) -> list[str]:
    """Hosts in the key's order of preference (rendezvous / highest-random-weight hashing):
    adding or removing a daemon only moves the keys that preferred it."""
    return sorted(
        hosts, key=lambda h: hashlib.sha256(f"{key}\0{h}".encode()).digest(), reverse=True
    )


class DaemonLost(EngineError):
    """The daemon running a build stopped answering."""


class BuildKitPool:
    """Implements Engine over one or more daemons (a single host is a pool of one)."""

    name = "buildkit"

    def __init__(
        self,
        hosts: Sequence[str],
        *,
        engine_for: Callable[[str], Engine] = BuildKitEngine,
        probe: Probe = buildctl_probe,
        affinity_slack: int = 1,
        probe_interval: float = 10.0,
        retry_after: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not hosts:
            raise EngineError("no BuildKit daemon configured (set KILN_BUILDKIT_HOST)")
        self.daemons = {host: Daemon(host) for host in dict.fromkeys(hosts)}
        self.engine_for = engine_for
        self.probe = probe
        self.affinity_slack = affinity_slack
        self.probe_interval = probe_interval
        self.retry_after = retry_after
        self.clock = clock

    def available(self, exclude: Collection[str] = ()) -> list[Daemon]:
        now = self.clock()
        return [d for d in self.daemons.values() if d.down_until <= now and d.host not in exclude]

    def choose(self, key: str, exclude: Collection[str] = ()) -> Daemon | None:
        """The daemon for a build of `key`, or None when every daemon is out or excluded."""
        candidates = self.available(exclude)
        if not candidates:
            return None
        least = min(d.active for d in candidates)
        near = {d.host: d for d in candidates if d.active <= least + self.affinity_slack}
        return near[affinity_rank(key, list(near))[0]]

    def take_out(self, daemon: Daemon) -> None:
        daemon.down_until = self.clock() + self.retry_after

    async def build(self, request: BuildRequest, report: Reporter) -> BuildResult:
        primary = request.tags[0]
        key = request.affinity_key or f"{primary.registry}/{primary.repository}"
        tried: set[str] = set()
        while True:
            daemon = self.choose(key, tried)
            if daemon is None:
                daemon = await self._revive(tried)
            tried.add(daemon.host)
            report.log(f"buildkit: building on {daemon.host}")
            daemon.active += 1
            try:
                return await self._attempt(daemon, request, report)
            except DaemonLost:
                self.take_out(daemon)
                report.log(f"buildkit: {daemon.host} stopped answering; retrying elsewhere")
            except KilnError:
                if await self.probe(daemon.host):
                    raise
                self.take_out(daemon)
                report.log(f"buildkit: {daemon.host} stopped answering; retrying elsewhere")
            finally:
                daemon.active -= 1

    async def _revive(self, tried: set[str]) -> Daemon:
        """Every daemon is out or tried: probe the untried ones that are out, else give up."""
        for daemon in self.daemons.values():
            if daemon.host not in tried and await self.probe(daemon.host):
                daemon.down_until = 0.0
                return daemon
        raise EngineError(
            f"no BuildKit daemon answers (tried {', '.join(sorted(self.daemons))})",
            hint="check buildkitd and KILN_BUILDKIT_HOST",
        )

    async def _attempt(
        self, daemon: Daemon, request: BuildRequest, report: Reporter
    ) -> BuildResult:
        """The build on one daemon, cancelled with DaemonLost when the daemon stops answering."""
        build = asyncio.create_task(self.engine_for(daemon.host).build(request, report))
        watch = asyncio.create_task(self._watch(daemon.host))
        try:
            done, _ = await asyncio.wait({build, watch}, return_when=asyncio.FIRST_COMPLETED)
            if build in done:
                return build.result()
            build.cancel()
            with contextlib.suppress(asyncio.CancelledError, KilnError):
                await build
            raise DaemonLost(f"buildkitd at {daemon.host} stopped answering")
        finally:
            for task in (build, watch):
                task.cancel()
            await asyncio.gather(build, watch, return_exceptions=True)

    async def _watch(self, host: str) -> None:
        """Returns when the daemon fails two probes in a row (one slow answer on a loaded
        machine is not a lost daemon); runs for as long as the build otherwise."""
        misses = 0
        while misses < 2:
            await asyncio.sleep(self.probe_interval)
            misses = 0 if await self.probe(host) else misses + 1
