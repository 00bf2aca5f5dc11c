"""Server-Sent Events framing for build logs: `id:` = log sequence, status and end events."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from kiln.logs.follow import EndEvent, Event, KeepAlive, LogEvent, StatusEvent


def frame(event: Event) -> str:
    if isinstance(event, LogEvent):
        data = json.dumps({"seq": event.seq, "line": event.line, "step": event.step})
        return f"id: {event.seq}\ndata: {data}\n\n"
    if isinstance(event, StatusEvent):
        return f"event: status\ndata: {json.dumps({'status': event.status})}\n\n"
    if isinstance(event, EndEvent):
        return f"event: end\ndata: {json.dumps({'status': event.status})}\n\n"
    assert isinstance(event, KeepAlive)
    return ": keep-alive\n\n"


async def stream(events: AsyncIterator[Event]) -> AsyncIterator[str]:
    yield "retry: 2000\n\n"
    async for event in events:
        yield frame(event)
