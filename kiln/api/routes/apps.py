"""Apps, their builds (trigger, list) and analysis."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from kiln.api.deps import READ, WRITE, ServicesDep
from kiln.plan.model import BuildPlan
from kiln.service import apps, builds
from kiln.service.models import (
    AppCreate,
    AppPublic,
    AppUpdate,
    BuildPage,
    BuildPublic,
    BuildTrigger,
    SecretNames,
    SecretsUpdate,
)

router = APIRouter(prefix="/workspaces/{ws}/apps", tags=["apps"])


@router.post("", status_code=201, **WRITE)
async def create_app(svc: ServicesDep, ws: str, body: AppCreate) -> AppPublic:
    return await apps.create_app(svc, ws, body)


@router.get("", **READ)
async def list_apps(svc: ServicesDep, ws: str) -> list[AppPublic]:
    return await apps.list_apps(svc, ws)


@router.get("/{app}", **READ)
async def get_app(svc: ServicesDep, ws: str, app: str) -> AppPublic:
    return await apps.get_app(svc, ws, app)


@router.patch("/{app}", **WRITE)
async def update_app(svc: ServicesDep, ws: str, app: str, body: AppUpdate) -> AppPublic:
    return await apps.update_app(svc, ws, app, body)


@router.delete("/{app}", status_code=204, **WRITE)
async def delete_app(svc: ServicesDep, ws: str, app: str) -> Response:
    await apps.delete_app(svc, ws, app)
    return Response(status_code=204)


@router.post("/{app}/builds", status_code=202, **WRITE)
async def trigger_build(
    svc: ServicesDep, ws: str, app: str, response: Response, body: BuildTrigger | None = None
) -> BuildPublic:
    """Start a build (202). An identical build already running is returned instead (200)."""
    build, created = await builds.trigger_build(svc, ws, app, body or BuildTrigger())
    if not created:
        response.status_code = 200
    return build


@router.get("/{app}/builds", **READ)
async def list_builds(
    svc: ServicesDep,
    ws: str,
    app: str,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> BuildPage:
    return await builds.list_builds(svc, ws, app, status=status, limit=limit, cursor=cursor)


@router.post("/{app}/analyze", **WRITE)
async def analyze(svc: ServicesDep, ws: str, app: str, ref: str | None = None) -> BuildPlan:
    return await apps.analyze_app(svc, ws, app, ref)


@router.put("/{app}/secrets", **WRITE)
async def set_secrets(svc: ServicesDep, ws: str, app: str, body: SecretsUpdate) -> SecretNames:
    """Replace the app's build secrets (values are write-only: only names come back)."""
    return await apps.set_build_secrets(svc, ws, app, body)


@router.get("/{app}/secrets", **READ)
async def secret_names(svc: ServicesDep, ws: str, app: str) -> SecretNames:
    return await apps.build_secret_names(svc, ws, app)
