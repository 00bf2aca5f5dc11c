"""Log in and out of the dashboard: a session cookie (HttpOnly, SameSite=Lax) + a CSRF cookie."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from kiln.api.deps import ROLE_KEY, ServicesDep, clear_session_cookies, set_session_cookies
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
    set_session_cookies(response, session, request)
    return LoginResult(csrf_token=session.csrf)


@router.delete("", status_code=204, openapi_extra={ROLE_KEY: "public"})
async def logout(response: Response) -> Response:
    clear_session_cookies(response)
    response.status_code = 204
    return response
