"""The workspace list and a workspace's overview: its apps with their last build, the quota bar
and the registry-quota warning (amber from 70 %, red from 90 %)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from kiln.service import apps, builds, quotas, workspaces
from kiln.service.access import Role
from kiln.service.models import AppCreate, AppPublic, BuildPublic, WorkspaceCreate
from kiln.web.auth import ServicesDep, ViewerDep, form, may, role_check
from kiln.web.charts import quota_level
from kiln.web.errors import HtmlRoute
from kiln.web.render import page

router = APIRouter(route_class=HtmlRoute, include_in_schema=False)


@dataclass(frozen=True)
class AppRow:
    app: AppPublic
    last: BuildPublic | None


@router.get("/")
async def home(request: Request, svc: ServicesDep, who: ViewerDep) -> Response:
    found = await workspaces.list_workspaces(svc, who)
    return page(request, "home.html", {"workspaces": found})


@router.post("/workspaces")
async def create_workspace(request: Request, svc: ServicesDep, who: ViewerDep) -> Response:
    fields = await form(request)
    created = await workspaces.create_workspace(
        svc, WorkspaceCreate(slug=fields.get("slug", ""), name=fields.get("name", "")), who
    )
    return RedirectResponse(f"/w/{created.slug}", status_code=303)


@router.get("/w/{ws}")
async def workspace(request: Request, svc: ServicesDep, who: ViewerDep, ws: str) -> Response:
    await role_check(svc, who, ws)
    rows = []
    for app in await apps.list_apps(svc, ws):
        last = await builds.list_builds(svc, ws, app.slug, status=None, limit=1, cursor=None)
        rows.append(AppRow(app, last.builds[0] if last.builds else None))
    usage = await quotas.usage(svc, ws)
    context = {
        "ws": await workspaces.get_workspace(svc, ws), "rows": rows, "usage": usage,
        "level": quota_level(usage.percent), "can_write": await may(svc, who, ws, Role.ADMIN),
        "registries": await workspaces.list_registries(svc, ws),
    }  # fmt: skip
    return page(request, "workspace.html", context)


@router.post("/w/{ws}/apps")
async def create_app(request: Request, svc: ServicesDep, who: ViewerDep, ws: str) -> Response:
    await role_check(svc, who, ws, Role.ADMIN)
    fields = await form(request)
    created = await apps.create_app(
        svc, ws,
        AppCreate(
            slug=fields.get("slug", ""), repo_url=fields.get("repo_url", ""),
            branch=fields.get("branch") or None, subdirectory=fields.get("subdirectory") or None,
            registry=fields.get("registry") or None,
        ),
    )  # fmt: skip
    return RedirectResponse(f"/w/{ws}/apps/{created.slug}", status_code=303)
