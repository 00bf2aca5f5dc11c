"""Workspaces and registry configurations."""

from __future__ import annotations

from fastapi import APIRouter, Response

from kiln.api.deps import ServicesDep
from kiln.service import workspaces
from kiln.service.models import RegistryCreate, RegistryPublic, WorkspaceCreate, WorkspacePublic

router = APIRouter(prefix="/workspaces", tags=["workspaces"])


@router.post("", status_code=201)
async def create_workspace(svc: ServicesDep, body: WorkspaceCreate) -> WorkspacePublic:
    return await workspaces.create_workspace(svc, body)


@router.get("")
async def list_workspaces(svc: ServicesDep) -> list[WorkspacePublic]:
    return await workspaces.list_workspaces(svc)


@router.get("/{ws}")
async def get_workspace(svc: ServicesDep, ws: str) -> WorkspacePublic:
    return await workspaces.get_workspace(svc, ws)


@router.post("/{ws}/registries", status_code=201)
async def create_registry(svc: ServicesDep, ws: str, body: RegistryCreate) -> RegistryPublic:
    return await workspaces.create_registry(svc, ws, body)


@router.get("/{ws}/registries")
async def list_registries(svc: ServicesDep, ws: str) -> list[RegistryPublic]:
    return await workspaces.list_registries(svc, ws)


@router.delete("/{ws}/registries/{name}", status_code=204)
async def delete_registry(svc: ServicesDep, ws: str, name: str) -> Response:
    await workspaces.delete_registry(svc, ws, name)
    return Response(status_code=204)
