"""Server-Sent Events framing for build logs: `id:` = log sequence, status and end events."""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator

from kiln.logs.follow import EndEvent, Event, KeepAlive, LogEvent, StatusEvent


@functools.lru_cache(maxsize=8192)
def frame(event: Event) -> str:
    """The SSE text of an event; cached, since every viewer of a build sends the same frames."""
    if isinstance(event, LogEvent):
        data = json.dumps({"seq": event.seq, "line": event.line, "step": event.step})
        return f"id: {event.seq}\ndata: {data}\n\n"
    if isinstance(event, StatusEvent):
        return f"event: status\ndata: {json.dumps({'status': event.status})}\n\n"
    if isinstance(event, EndEvent):
        return f"event: end\ndata: {json.dumps({'status': event.status})}\n\n"
    assert isinstance(event, KeepAlive)
    return ": keep-alive\n\n"


async def stream(batches: AsyncIterator[list[Event]]) -> AsyncIterator[str]:
    """One chunk per batch: a burst of lines costs one write per viewer, not one per line."""
    yield "retry: 2000\n\n"
    async for batch in batches:
        yield "".join(frame(event) for event in batch)
