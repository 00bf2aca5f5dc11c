"""Log in and out of the dashboard: a session cookie (HttpOnly, SameSite=Lax) + a CSRF cookie."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from kiln.api.deps import ROLE_KEY, ServicesDep
from kiln.service import sessions

router = APIRouter(prefix="/session", tags=["session"])


class Login(BaseModel):
    email: str = Field(max_length=255)
    password: str = Field(max_length=1024)


class LoginResult(BaseModel):
    csrf_token: str


@router.post("", openapi_extra={ROLE_KEY: "public"})
async def login(svc: ServicesDep, request: Request, response: Response, body: Login) -> LoginResult:
    session = await sessions.login(svc, body.email, body.password)
    secure = request.url.scheme == "https"
    response.set_cookie(
        sessions.SESSION_COOKIE, session.cookie, max_age=session.max_age,
        httponly=True, samesite="lax", secure=secure, path="/",
    )  # fmt: skip
    response.set_cookie(
        sessions.CSRF_COOKIE, session.csrf, max_age=session.max_age,
        httponly=False, samesite="lax", secure=secure, path="/",
    )  # fmt: skip
    return LoginResult(csrf_token=session.csrf)


@router.delete("", status_code=204, openapi_extra={ROLE_KEY: "public"})
async def logout(response: Response) -> Response:
    response.delete_cookie(sessions.SESSION_COOKIE, path="/")
    response.delete_cookie(sessions.CSRF_COOKIE, path="/")
    response.status_code = 204
    return response
