"""Follow a build's log and status live. One poller per followed build, shared by all viewers.

Viewers do not touch the database: a feed polls the store a few times a second and wakes every
viewer of that build, so 200 viewers cost what one costs and never slow the build down. Every
status transition is an event, in time order with the log lines around it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from kiln.status import BuildStatus
from kiln.store import logs as log_store
from kiln.store.builds import get_build, transitions_after
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
    entries: list[LogEvent | StatusEvent] = field(default_factory=list)
    status: str | None = None
    loaded: bool = False
    done: bool = False
    viewers: int = 0
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    task: asyncio.Task[None] | None = None

    def start_for(self, after: int) -> tuple[int, StatusEvent | None]:
        """Where a viewer resuming after line `after` starts, and the status it should know."""
        if after == 0:
            return 0, None
        current: StatusEvent | None = None
        for position, entry in enumerate(self.entries):
            if isinstance(entry, LogEvent) and entry.seq > after:
                return position, current
            if isinstance(entry, StatusEvent):
                current = entry
        return len(self.entries), current


class LogHub:
    def __init__(self, db: Database, *, poll_seconds: float = POLL_SECONDS) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self._feeds: dict[str, _Feed] = {}

    async def _poll(self, build_id: str, feed: _Feed) -> None:
        last_seq = last_transition = 0
        while True:
            async with self.db.session() as session:
                lines = await log_store.read(session, build_id, after=last_seq)
                moves = await transitions_after(session, build_id, last_transition)
                status = (await get_build(session, build_id)).status
            timeline = sorted(
                [(line.at, 1, LogEvent(line.seq, line.line, line.step)) for line in lines]
                + [(move.at, 0, StatusEvent(move.status)) for move in moves],
                key=lambda item: (item[0], item[1]),
            )
            feed.entries.extend(entry for _, _, entry in timeline)
            last_seq = lines[-1].seq if lines else last_seq
            last_transition = moves[-1].id if moves else last_transition
            feed.status = status
            # Lines are stored before the final transition, so a terminal status seen in a poll
            # that brought no new lines means the log is complete.
            feed.done = BuildStatus(status).terminal and not lines
            feed.loaded = True
            async with feed.changed:
                feed.changed.notify_all()
            if feed.done:
                return
            await asyncio.sleep(self.poll_seconds)

    async def follow(
        self, build_id: str, *, after: int = 0, keepalive_seconds: float = 15.0
    ) -> AsyncIterator[Event]:
        """Lines with seq > `after` and status changes in order, then one EndEvent."""
        async for batch in self.follow_batches(
            build_id, after=after, keepalive_seconds=keepalive_seconds
        ):
            for event in batch:
                yield event

    async def follow_batches(
        self, build_id: str, *, after: int = 0, keepalive_seconds: float = 15.0
    ) -> AsyncIterator[list[Event]]:
        """Like `follow`, but everything available at each wake-up comes as one batch."""
        async with self.db.session() as session:
            await get_build(session, build_id)  # NotFound before streaming starts
        feed = self._feeds.get(build_id)
        if feed is None or (feed.task is not None and feed.task.done() and not feed.done):
            feed = self._feeds[build_id] = _Feed()
            feed.task = asyncio.create_task(self._poll(build_id, feed))
        feed.viewers += 1
        try:
            async with feed.changed:
                await feed.changed.wait_for(lambda: feed.loaded or _failed(feed))
            _raise_if_failed(feed)
            position, current = feed.start_for(after)
            if current is not None:
                yield [current]

            def ready() -> bool:
                return position < len(feed.entries) or feed.done or _failed(feed)

            while True:
                batch: list[Event] = list(feed.entries[position:])
                position += len(batch)
                if feed.done:
                    batch.append(EndEvent(feed.status or "unknown"))
                if batch:
                    yield batch
                if feed.done:
                    return
                async with feed.changed:
                    try:
                        await asyncio.wait_for(feed.changed.wait_for(ready), keepalive_seconds)
                    except TimeoutError:
                        yield [KeepAlive()]
                _raise_if_failed(feed)
        finally:
            feed.viewers -= 1
            if feed.viewers == 0 and self._feeds.get(build_id) is feed:
                del self._feeds[build_id]
                if feed.task is not None and not feed.task.done():
                    feed.task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await feed.task


def _failed(feed: _Feed) -> bool:
    return feed.task is not None and feed.task.done() and not feed.done


def _raise_if_failed(feed: _Feed) -> None:
    if _failed(feed) and feed.task is not None:
        feed.task.result()  # the poller failed: surface its error
        raise RuntimeError("the log feed stopped")
