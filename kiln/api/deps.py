"""Request dependencies: the services, who is calling, and what role a route needs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from kiln.service.access import Principal, Role, authenticate, require_build, require_workspace
from kiln.service.context import Services

ROLE_KEY = "x-kiln-role"


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


ServicesDep = Annotated[Services, Depends(services)]


async def principal(request: Request) -> Principal:
    """The caller, from `Authorization: Bearer <token>` (an API token or the bootstrap token)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    found = await authenticate(services(request), token) if scheme.lower() == "bearer" else None
    if found is None:
        raise HTTPException(
            401, "missing or invalid bearer token", headers={"WWW-Authenticate": "Bearer"}
        )
    return found


PrincipalDep = Annotated[Principal, Depends(principal)]


def needs(role: Role) -> dict[str, Any]:
    """Route keyword arguments: check `role` in the workspace the path names (`ws` or a build)."""

    async def check(request: Request, caller: PrincipalDep) -> None:
        params = request.path_params
        if "ws" in params:
            await require_workspace(services(request), caller, params["ws"], role)
        elif "build_id" in params:
            await require_build(services(request), caller, params["build_id"], role)

    return {"dependencies": [Depends(check)], "openapi_extra": {ROLE_KEY: role.value}}


READ = needs(Role.MEMBER)
WRITE = needs(Role.ADMIN)
OWN = needs(Role.OWNER)
