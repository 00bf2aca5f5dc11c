"""Who is looking at a page: the session cookie (else a redirect to the login page), the same
role checks as the REST API, and form posts with their CSRF token (double-submit cookie)."""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import Depends, Request

from kiln.errors import Forbidden, UserError
from kiln.service.access import Principal, Role, require_build, require_workspace
from kiln.service.context import Services
from kiln.service.sessions import CSRF_COOKIE, SESSION_COOKIE, from_cookie

MAX_FORM_BYTES = 256 * 1024


class LoginNeeded(Exception):
    """No valid session: the page answers with a redirect to the login page."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


ServicesDep = Annotated[Services, Depends(services)]


async def viewer(request: Request) -> Principal:
    cookie = request.cookies.get(SESSION_COOKIE)
    found = await from_cookie(services(request), cookie) if cookie else None
    if found is None:
        raise LoginNeeded(request.url.path)
    return found


ViewerDep = Annotated[Principal, Depends(viewer)]


async def role_check(svc: Services, who: Principal, ws: str, needed: Role = Role.MEMBER) -> None:
    """The REST API's check: 404 outside the workspace, 403 below the role."""
    await require_workspace(svc, who, ws, needed)


async def may(svc: Services, who: Principal, ws: str, needed: Role) -> bool:
    """Whether to offer an action (the POST checks again)."""
    try:
        await require_workspace(svc, who, ws, needed)
    except Forbidden:
        return False
    return True


async def build_check(svc: Services, who: Principal, build_id: str, needed: Role) -> None:
    await require_build(svc, who, build_id, needed)


async def form(request: Request) -> dict[str, str]:
    """The fields of a url-encoded form post, after checking its CSRF token."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise UserError("expected a form post (application/x-www-form-urlencoded)")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise UserError("the form is too large")
    fields = {
        key: values[-1]
        for key, values in parse_qs(body.decode(errors="replace"), keep_blank_values=True).items()
    }
    expected = request.cookies.get(CSRF_COOKIE, "")
    sent = fields.pop("csrf_token", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden("the form's CSRF token is missing or wrong: reload the page and try again")
    return fields
