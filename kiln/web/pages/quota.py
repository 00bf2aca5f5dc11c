"""The registry quota: usage by app, the quota itself, the retention policy editor, the cleanup
history and "preview cleanup" (a dry run that deletes nothing)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from kiln.errors import UserError
from kiln.quota.retention import RetentionPolicy
from kiln.service import quotas, workspaces
from kiln.service.access import Principal, Role
from kiln.service.context import Services
from kiln.service.models import CleanupPublic, WorkspaceUpdate
from kiln.web.auth import ServicesDep, ViewerDep, form, may, role_check
from kiln.web.charts import quota_level
from kiln.web.errors import HtmlRoute
from kiln.web.render import page

router = APIRouter(route_class=HtmlRoute, include_in_schema=False)
MB = 1000 * 1000


async def _render(
    request: Request, svc: Services, who: Principal, ws: str, preview: CleanupPublic | None = None
) -> Response:
    usage = await quotas.usage(svc, ws)
    policy = await quotas.get_retention(svc, ws)
    context: dict[str, Any] = {
        "ws": await workspaces.get_workspace(svc, ws), "usage": usage,
        "level": quota_level(usage.percent),
        "widest": max((a.used_bytes for a in usage.apps), default=0) or 1,
        "policy_json": policy.model_dump_json(indent=2),
        "runs": await quotas.cleanup_history(svc, ws),
        "preview": preview, "can_write": await may(svc, who, ws, Role.ADMIN),
        "can_own": await may(svc, who, ws, Role.OWNER), "quota_mb": usage.quota_bytes / MB,
    }  # fmt: skip
    return page(request, "quota.html", context)


@router.get("/w/{ws}/quota")
async def quota(request: Request, svc: ServicesDep, who: ViewerDep, ws: str) -> Response:
    await role_check(svc, who, ws)
    return await _render(request, svc, who, ws)


@router.post("/w/{ws}/quota")
async def set_quota(request: Request, svc: ServicesDep, who: ViewerDep, ws: str) -> Response:
    await role_check(svc, who, ws, Role.OWNER)
    fields = await form(request)
    try:
        quota_bytes = int(float(fields.get("quota_mb", "")) * MB)
    except ValueError:
        raise UserError("the quota must be a number of MB") from None
    await quotas.update_workspace(svc, ws, WorkspaceUpdate(quota_bytes=quota_bytes))
    return RedirectResponse(f"/w/{ws}/quota", status_code=303)


@router.post("/w/{ws}/retention")
async def set_retention(request: Request, svc: ServicesDep, who: ViewerDep, ws: str) -> Response:
    await role_check(svc, who, ws, Role.ADMIN)
    fields = await form(request)
    policy = RetentionPolicy.model_validate_json(fields.get("policy", "") or "{}")
    await quotas.put_retention(svc, ws, policy)
    return RedirectResponse(f"/w/{ws}/quota", status_code=303)


@router.post("/w/{ws}/cleanup-preview")
async def preview(request: Request, svc: ServicesDep, who: ViewerDep, ws: str) -> Response:
    await role_check(svc, who, ws, Role.ADMIN)
    await form(request)
    result = await quotas.cleanup(svc, ws, dry_run=True)
    return await _render(request, svc, who, ws, preview=result)
