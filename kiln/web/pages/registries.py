"""Registry settings: list, add, edit, delete (GHCR / ACR / generic) and test the connection.
The secret is write-only: the page says "set" or "not set", and a blank field keeps it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from kiln.registry.kinds import KINDS
from kiln.service import workspaces
from kiln.service.access import Principal, Role
from kiln.service.context import Services
from kiln.service.models import RegistryCheckPublic, RegistryCreate, RegistryUpdate
from kiln.web.auth import ServicesDep, ViewerDep, form, may, role_check
from kiln.web.errors import HtmlRoute
from kiln.web.render import page

router = APIRouter(route_class=HtmlRoute, include_in_schema=False)
OFFERED_KINDS = ("generic", "ghcr", "acr")


async def _render(
    request: Request, svc: Services, who: Principal, ws: str,
    check: tuple[str, RegistryCheckPublic] | None = None,
) -> Response:  # fmt: skip
    context: dict[str, Any] = {
        "ws": await workspaces.get_workspace(svc, ws),
        "registries": await workspaces.list_registries(svc, ws),
        "kinds": [KINDS[name] for name in OFFERED_KINDS],
        "can_write": await may(svc, who, ws, Role.ADMIN),
        "can_delete": await may(svc, who, ws, Role.OWNER),
        "check": check,
    }
    return page(request, "registries.html", context)


@router.get("/w/{ws}/registries")
async def registries(request: Request, svc: ServicesDep, who: ViewerDep, ws: str) -> Response:
    await role_check(svc, who, ws)
    return await _render(request, svc, who, ws)


@router.post("/w/{ws}/registries")
async def create(request: Request, svc: ServicesDep, who: ViewerDep, ws: str) -> Response:
    await role_check(svc, who, ws, Role.ADMIN)
    fields = await form(request)
    await workspaces.create_registry(
        svc, ws,
        RegistryCreate(
            name=fields.get("name", ""), kind=fields.get("kind", "generic"),
            url=fields.get("url", ""), namespace=fields.get("namespace", ""),
            username=fields.get("username") or None, secret=fields.get("secret") or None,
            is_default=fields.get("is_default") == "1",
        ),
    )  # fmt: skip
    return RedirectResponse(f"/w/{ws}/registries", status_code=303)


@router.post("/w/{ws}/registries/{name}")
async def update(
    request: Request, svc: ServicesDep, who: ViewerDep, ws: str, name: str
) -> Response:
    await role_check(svc, who, ws, Role.ADMIN)
    fields = await form(request)
    await workspaces.update_registry(
        svc, ws, name,
        RegistryUpdate(
            url=fields.get("url"), namespace=fields.get("namespace"),
            username=fields.get("username"), secret=fields.get("secret") or None,
            clear_secret=fields.get("clear_secret") == "1",
            is_default=fields.get("is_default") == "1",
        ),
    )  # fmt: skip
    return RedirectResponse(f"/w/{ws}/registries", status_code=303)


@router.post("/w/{ws}/registries/{name}/delete")
async def delete(
    request: Request, svc: ServicesDep, who: ViewerDep, ws: str, name: str
) -> Response:
    await role_check(svc, who, ws, Role.OWNER)
    await form(request)
    await workspaces.delete_registry(svc, ws, name)
    return RedirectResponse(f"/w/{ws}/registries", status_code=303)


@router.post("/w/{ws}/registries/{name}/test")
async def test(request: Request, svc: ServicesDep, who: ViewerDep, ws: str, name: str) -> Response:
    await role_check(svc, who, ws, Role.ADMIN)
    await form(request)
    result = await workspaces.test_registry(svc, ws, name)
    return await _render(request, svc, who, ws, check=(name, result))
