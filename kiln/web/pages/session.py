"""The login page and signing out: the same session and CSRF cookies as `POST /api/v1/session`."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from kiln.api.deps import clear_session_cookies, set_session_cookies
from kiln.errors import BadLogin
from kiln.service import sessions
from kiln.web.auth import ServicesDep, form
from kiln.web.errors import HtmlRoute
from kiln.web.render import page

router = APIRouter(route_class=HtmlRoute, include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never `//evil.example` or `https://…`."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
async def login_page(request: Request, next: str | None = None) -> Response:
    return page(request, "login.html", {"next": _safe_next(next), "problem": None})


@router.post("/login")
async def login(request: Request, svc: ServicesDep) -> Response:
    fields = {k: v[-1] for k, v in parse_qs((await request.body()).decode()).items()}
    target = _safe_next(fields.get("next"))
    try:
        session = await sessions.login(svc, fields.get("email", ""), fields.get("password", ""))
    except BadLogin as exc:
        context = {"next": target, "problem": str(exc), "email": fields.get("email", "")}
        return page(request, "login.html", context, status_code=401)
    response = RedirectResponse(target, status_code=303)
    set_session_cookies(response, session, request)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    await form(request)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookies(response)
    return response
