"""Request dependencies: the services, who is calling, and what role a route needs."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Response

from kiln.service.access import Principal, Role, authenticate, require_build, require_workspace
from kiln.service.context import Services
from kiln.service.sessions import CSRF_COOKIE, SESSION_COOKIE, Session, from_cookie

ROLE_KEY = "x-kiln-role"


def set_session_cookies(response: Response, session: Session, request: Request) -> None:
    """The signed HttpOnly session cookie and the CSRF cookie the page's scripts read."""
    secure = request.url.scheme == "https"
    for name, value, httponly in (
        (SESSION_COOKIE, session.cookie, True),
        (CSRF_COOKIE, session.csrf, False),
    ):
        response.set_cookie(
            name, value, max_age=session.max_age,
            httponly=httponly, samesite="lax", secure=secure, path="/",
        )  # fmt: skip


def clear_session_cookies(response: Response) -> None:
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.delete_cookie(name, path="/")


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


ServicesDep = Annotated[Services, Depends(services)]


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def principal(request: Request) -> Principal:
    """The caller: `Authorization: Bearer <token>` (API or bootstrap token), or the dashboard's
    session cookie — which, for a request that changes state, needs the CSRF token too."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        found = await authenticate(services(request), token)
    elif SESSION_COOKIE in request.cookies:
        found = await from_cookie(services(request), request.cookies[SESSION_COOKIE])
        if found is not None and request.method not in SAFE_METHODS:
            expected = request.cookies.get(CSRF_COOKIE, "")
            sent = request.headers.get("x-csrf-token", "")
            if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
                raise HTTPException(403, "CSRF token missing or wrong (send X-CSRF-Token)")
    else:
        found = None
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
