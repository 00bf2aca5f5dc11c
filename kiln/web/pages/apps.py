"""An app: its repository, detected build config and editable overrides, Build now / Rebuild,
the latest image, the build history and a chart of build duration and image size."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from kiln.detect.overrides import Overrides
from kiln.service import apps, builds, views, workspaces
from kiln.service.access import Role
from kiln.service.models import AppUpdate, BuildPublic, BuildTrigger
from kiln.web.auth import ServicesDep, ViewerDep, form, may, role_check
from kiln.web.charts import bar_chart
from kiln.web.errors import HtmlRoute
from kiln.web.render import duration, page, size

router = APIRouter(route_class=HtmlRoute, include_in_schema=False)
OVERRIDE_FIELDS = ("provider", "language_version", "install_cmd", "build_cmd", "start_cmd",
                   "dockerfile_path", "port")  # fmt: skip
HISTORY = 20


def seconds(build: BuildPublic) -> float | None:
    start = build.started_at or build.created_at
    return (build.finished_at - start).total_seconds() if build.finished_at else None


@router.get("/w/{ws}/apps/{app}")
async def app_page(
    request: Request, svc: ServicesDep, who: ViewerDep, ws: str, app: str
) -> Response:
    await role_check(svc, who, ws)
    found = await apps.get_app(svc, ws, app)
    history = (
        await builds.list_builds(svc, ws, app, status=None, limit=HISTORY, cursor=None)
    ).builds
    latest = next((b for b in history if b.status == "built" and b.digest), None)
    ended = [b for b in reversed(history) if seconds(b) is not None]
    context = {
        "ws": await workspaces.get_workspace(svc, ws), "app": found, "history": history,
        "plan": await views.latest_plan(svc, ws, app), "latest": latest, "seconds": seconds,
        "can_write": await may(svc, who, ws, Role.ADMIN),
        "registries": await workspaces.list_registries(svc, ws),
        "duration_chart": bar_chart(
            [(f"#{b.number}", seconds(b) or 0.0, f"#{b.number}: {duration(seconds(b))}")
             for b in ended], "Build duration",
        ),
        "size_chart": bar_chart(
            [(f"#{b.number}", float(b.size_bytes or 0), f"#{b.number}: {size(b.size_bytes)}")
             for b in ended if b.size_bytes], "Image size",
        ),
    }  # fmt: skip
    return page(request, "app.html", context)


@router.post("/w/{ws}/apps/{app}")
async def update_app(
    request: Request, svc: ServicesDep, who: ViewerDep, ws: str, app: str
) -> Response:
    await role_check(svc, who, ws, Role.ADMIN)
    fields = await form(request)
    overrides = Overrides.model_validate(
        {name: fields[name].strip() for name in OVERRIDE_FIELDS if fields.get(name, "").strip()}
    )
    await apps.update_app(
        svc, ws, app,
        AppUpdate(
            branch=fields.get("branch") or None, subdirectory=fields.get("subdirectory") or None,
            registry=fields.get("registry") or None, overrides=overrides,
        ),
    )  # fmt: skip
    return RedirectResponse(f"/w/{ws}/apps/{app}?saved=1", status_code=303)


@router.post("/w/{ws}/apps/{app}/build")
async def build_now(
    request: Request, svc: ServicesDep, who: ViewerDep, ws: str, app: str
) -> Response:
    await role_check(svc, who, ws, Role.ADMIN)
    fields = await form(request)
    build, _ = await builds.trigger_build(
        svc, ws, app, BuildTrigger(force=fields.get("force") == "1"), trigger="manual"
    )
    return RedirectResponse(f"/builds/{build.id}", status_code=303)
