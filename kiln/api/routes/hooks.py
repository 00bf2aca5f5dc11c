"""Incoming webhooks: authenticated by their signature, not by a bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response

from kiln.api.deps import ServicesDep
from kiln.service import webhooks
from kiln.service.models import WebhookResult

router = APIRouter(prefix="/hooks", tags=["webhooks"])


@router.post("/github", status_code=202)
async def github(
    svc: ServicesDep,
    request: Request,
    response: Response,
    x_github_event: Annotated[str, Header()] = "",
    x_github_delivery: Annotated[str, Header()] = "",
    x_hub_signature_256: Annotated[str, Header()] = "",
) -> WebhookResult:
    """GitHub `push` (builds matching apps), `ping`; other events are accepted and ignored."""
    result = await webhooks.handle_github(
        svc,
        event=x_github_event,
        delivery=x_github_delivery,
        signature=x_hub_signature_256,
        body=await request.body(),
    )
    if result.duplicate or x_github_event == "ping":
        response.status_code = 200
    return result
