"""One build: status, logs (text or SSE, resumable), cancel, retry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from kiln.api.deps import READ, WRITE, ServicesDep
from kiln.api.sse import stream
from kiln.service import builds
from kiln.service.models import BuildPublic

router = APIRouter(prefix="/builds", tags=["builds"])


@router.get("/{build_id}", **READ)
async def get_build(svc: ServicesDep, build_id: str) -> BuildPublic:
    return await builds.get_build(svc, build_id)


@router.get("/{build_id}/logs", response_model=None, **READ)
async def logs(
    svc: ServicesDep,
    request: Request,
    build_id: str,
    last_event_id: Annotated[str | None, Header()] = None,
    after: Annotated[int, Query(ge=0)] = 0,
) -> StreamingResponse:
    """Plain text, or with `Accept: text/event-stream` a live stream resumable by Last-Event-ID."""
    if "text/event-stream" in request.headers.get("accept", ""):
        start = int(last_event_id) if last_event_id and last_event_id.isdigit() else after
        await builds.get_build(svc, build_id)  # 404 before the stream starts
        return StreamingResponse(
            stream(builds.follow_build(svc, build_id, start)),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    await builds.get_build(svc, build_id)
    return StreamingResponse(builds.log_text(svc, build_id), media_type="text/plain")


@router.post("/{build_id}/cancel", status_code=202, **WRITE)
async def cancel(svc: ServicesDep, build_id: str) -> BuildPublic:
    return await builds.cancel_build(svc, build_id)


@router.post("/{build_id}/retry", status_code=202, **WRITE)
async def retry(svc: ServicesDep, build_id: str) -> BuildPublic:
    return await builds.retry_build(svc, build_id)
