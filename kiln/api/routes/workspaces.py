"""Workspaces and registry configurations."""

from __future__ import annotations

from fastapi import APIRouter, Response

from kiln.api.deps import OWN, READ, ROLE_KEY, WRITE, PrincipalDep, ServicesDep
from kiln.quota.retention import RetentionPolicy
from kiln.service import quotas, workspaces
from kiln.service.models import (
    CleanupPublic,
    CleanupRequest,
    CleanupRunPublic,
    ImagePublic,
    RegistryCheckPublic,
    RegistryCreate,
    RegistryPublic,
    UsagePublic,
    WorkspaceCreate,
    WorkspacePublic,
    WorkspaceUpdate,
)

router = APIRouter(prefix="/workspaces", tags=["workspaces"])


@router.post("", status_code=201, openapi_extra={ROLE_KEY: "authenticated"})
async def create_workspace(
    svc: ServicesDep, caller: PrincipalDep, body: WorkspaceCreate
) -> WorkspacePublic:
    """Any authenticated user may create a workspace, and becomes its owner."""
    return await workspaces.create_workspace(svc, body, caller)


@router.get("", openapi_extra={ROLE_KEY: "authenticated"})
async def list_workspaces(svc: ServicesDep, caller: PrincipalDep) -> list[WorkspacePublic]:
    """The workspaces the caller is a member of."""
    return await workspaces.list_workspaces(svc, caller)


@router.get("/{ws}", **READ)
async def get_workspace(svc: ServicesDep, ws: str) -> WorkspacePublic:
    return await workspaces.get_workspace(svc, ws)


@router.post("/{ws}/registries", status_code=201, **WRITE)
async def create_registry(svc: ServicesDep, ws: str, body: RegistryCreate) -> RegistryPublic:
    return await workspaces.create_registry(svc, ws, body)


@router.get("/{ws}/registries", **READ)
async def list_registries(svc: ServicesDep, ws: str) -> list[RegistryPublic]:
    return await workspaces.list_registries(svc, ws)


@router.post("/{ws}/registries/{name}/test", **WRITE)
async def test_registry(svc: ServicesDep, ws: str, name: str) -> RegistryCheckPublic:
    """Test connection: auth and push scope, without pushing anything."""
    return await workspaces.test_registry(svc, ws, name)


@router.delete("/{ws}/registries/{name}", status_code=204, **OWN)
async def delete_registry(svc: ServicesDep, ws: str, name: str) -> Response:
    await workspaces.delete_registry(svc, ws, name)
    return Response(status_code=204)


@router.patch("/{ws}", **OWN)
async def update_workspace(svc: ServicesDep, ws: str, body: WorkspaceUpdate) -> WorkspacePublic:
    return await quotas.update_workspace(svc, ws, body)


@router.get("/{ws}/registry-usage", **READ)
async def registry_usage(svc: ServicesDep, ws: str) -> UsagePublic:
    """Bytes of the unique blobs of the retained images, against the workspace quota."""
    return await quotas.usage(svc, ws)


@router.get("/{ws}/images", **READ)
async def list_images(svc: ServicesDep, ws: str) -> list[ImagePublic]:
    return await quotas.list_images(svc, ws)


@router.post("/{ws}/registry-cleanup", **WRITE)
async def registry_cleanup(svc: ServicesDep, ws: str, body: CleanupRequest) -> CleanupPublic:
    """Delete the oldest images down to 70 % of the quota (or, with dry_run, say what would go)."""
    return await quotas.cleanup(svc, ws, dry_run=body.dry_run)


@router.get("/{ws}/cleanup-runs", **READ)
async def cleanup_runs(svc: ServicesDep, ws: str) -> list[CleanupRunPublic]:
    """The audit trail of cleanups and dry runs, newest first."""
    return await quotas.cleanup_history(svc, ws)


@router.get("/{ws}/retention", **READ)
async def get_retention(svc: ServicesDep, ws: str) -> RetentionPolicy:
    return await quotas.get_retention(svc, ws)


@router.put("/{ws}/retention", **WRITE)
async def put_retention(svc: ServicesDep, ws: str, body: RetentionPolicy) -> RetentionPolicy:
    """Ordered rules (ECR-like: an image is expired by at most the first rule selecting it)."""
    return await quotas.put_retention(svc, ws, body)


@router.post("/{ws}/retention/apply", **WRITE)
async def apply_retention(svc: ServicesDep, ws: str, body: CleanupRequest) -> CleanupPublic:
    """Expire images by the retention rules; `dry_run: true` is the preview."""
    return await quotas.apply_retention(svc, ws, dry_run=body.dry_run)
