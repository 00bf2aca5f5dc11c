"""Follow a build's log and status live. One poller per followed build, shared by all viewers.

Viewers do not touch the database: a feed polls the store a few times a second and wakes every
viewer of that build, so 200 viewers cost what one costs and never slow the build down.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from kiln.status import BuildStatus
from kiln.store import logs as log_store
from kiln.store.builds import get_build
from kiln.store.db import Database

POLL_SECONDS = 0.25


@dataclass(frozen=True)
class LogEvent:
    seq: int
    line: str
    step: str | None


@dataclass(frozen=True)
class StatusEvent:
    status: str


@dataclass(frozen=True)
class EndEvent:
    status: str


@dataclass(frozen=True)
class KeepAlive:
    pass


Event = LogEvent | StatusEvent | EndEvent | KeepAlive


@dataclass
class _Feed:
    lines: list[log_store.LogLine] = field(default_factory=list)
    seqs: list[int] = field(default_factory=list)
    status: str | None = None
    done: bool = False
    viewers: int = 0
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    task: asyncio.Task[None] | None = None


class LogHub:
    def __init__(self, db: Database, *, poll_seconds: float = POLL_SECONDS) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self._feeds: dict[str, _Feed] = {}

    async def _poll(self, build_id: str, feed: _Feed) -> None:
        after = 0
        while True:
            async with self.db.session() as session:
                new = await log_store.read(session, build_id, after=after)
                status = (await get_build(session, build_id)).status
            changed = bool(new) or status != feed.status
            if new:
                feed.lines.extend(new)
                feed.seqs.extend(line.seq for line in new)
                after = new[-1].seq
            feed.status = status
            if BuildStatus(status).terminal and not new:
                feed.done = changed = True
            if changed:
                async with feed.changed:
                    feed.changed.notify_all()
            if feed.done:
                return
            await asyncio.sleep(self.poll_seconds)

    async def follow(
        self, build_id: str, *, after: int = 0, keepalive_seconds: float = 15.0
    ) -> AsyncIterator[Event]:
        """Lines with seq > `after`, status changes, then one EndEvent when the build is over."""
        async with self.db.session() as session:
            await get_build(session, build_id)  # NotFound before streaming starts
        feed = self._feeds.get(build_id)
        if feed is None or (feed.task is not None and feed.task.done() and not feed.done):
            feed = self._feeds[build_id] = _Feed()
            feed.task = asyncio.create_task(self._poll(build_id, feed))
        feed.viewers += 1
        try:
            cursor = after
            seen_status: str | None = None

            def ready() -> bool:
                newer = bool(feed.seqs) and feed.seqs[-1] > cursor
                return newer or feed.status != seen_status or feed.done

            while True:
                async with feed.changed:
                    try:
                        await asyncio.wait_for(feed.changed.wait_for(ready), keepalive_seconds)
                    except TimeoutError:
                        yield KeepAlive()
                        continue
                if feed.task is not None and feed.task.done() and not feed.done:
                    feed.task.result()  # the poller failed: surface its error
                for line in feed.lines[bisect.bisect_right(feed.seqs, cursor) :]:
                    cursor = line.seq
                    yield LogEvent(line.seq, line.line, line.step)
                if feed.status != seen_status and feed.status is not None:
                    seen_status = feed.status
                    yield StatusEvent(seen_status)
                if feed.done and not (feed.seqs and feed.seqs[-1] > cursor):
                    yield EndEvent(feed.status or "unknown")
                    return
        finally:
            feed.viewers -= 1
            if feed.viewers == 0 and self._feeds.get(build_id) is feed:
                del self._feeds[build_id]
                if feed.task is not None and not feed.task.done():
                    feed.task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await feed.task
