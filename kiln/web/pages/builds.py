"""A build: status and step timeline, the log (server-rendered, then live over SSE), the error
summary of a failed build, Cancel / Retry, and a link to its workflow in the Temporal UI."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from kiln.config import Settings
from kiln.service import builds, views, workspaces
from kiln.service.access import Role
from kiln.service.models import BuildPublic
from kiln.status import BuildStatus
from kiln.web.auth import ServicesDep, ViewerDep, build_check, form, may
from kiln.web.errors import HtmlRoute
from kiln.web.render import page

router = APIRouter(route_class=HtmlRoute, include_in_schema=False)
STEPS = ("clone", "analyze", "build", "push")


def temporal_link(settings: Settings, build: BuildPublic) -> str | None:
    if not settings.temporal_ui_url or not build.workflow_id:
        return None
    base = settings.temporal_ui_url.rstrip("/")
    namespace = quote(settings.temporal_namespace, safe="")
    return f"{base}/namespaces/{namespace}/workflows/{quote(build.workflow_id, safe='')}"


@router.get("/builds/{build_id}")
async def build_page(request: Request, svc: ServicesDep, who: ViewerDep, build_id: str) -> Response:
    await build_check(svc, who, build_id, Role.MEMBER)
    build = await builds.get_build(svc, build_id)
    lines = await views.log_lines(svc, build_id)
    steps = {step.name: step for step in build.steps}
    context = {
        "ws": await workspaces.get_workspace(svc, build.workspace), "build": build,
        "lines": lines, "last_seq": lines[-1].seq if lines else 0,
        "steps": [(name, steps.get(name)) for name in STEPS],
        "running": not BuildStatus(build.status).terminal,
        "can_write": await may(svc, who, build.workspace, Role.ADMIN),
        "temporal_url": temporal_link(svc.settings, build),
    }  # fmt: skip
    return page(request, "build.html", context)


@router.post("/builds/{build_id}/cancel")
async def cancel(request: Request, svc: ServicesDep, who: ViewerDep, build_id: str) -> Response:
    await build_check(svc, who, build_id, Role.ADMIN)
    await form(request)
    await builds.cancel_build(svc, build_id)
    return RedirectResponse(f"/builds/{build_id}", status_code=303)


@router.post("/builds/{build_id}/retry")
async def retry(request: Request, svc: ServicesDep, who: ViewerDep, build_id: str) -> Response:
    await build_check(svc, who, build_id, Role.ADMIN)
    await form(request)
    retried = await builds.retry_build(svc, build_id)
    return RedirectResponse(f"/builds/{retried.id}", status_code=303)
