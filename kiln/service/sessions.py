"""Dashboard sessions: a signed, expiring cookie (no server state) and a CSRF token.

The session cookie is HttpOnly and SameSite=Lax; its signature covers the user, the expiry and a
fingerprint of the password hash, so changing the password ends every session. Requests that
change state with a session cookie must echo the CSRF cookie in `X-CSRF-Token` (or a form's
`csrf_token` field): another site can make the browser send the cookie, but cannot read it.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select

from kiln.errors import BadLogin
from kiln.service.access import Principal, verify_password
from kiln.service.context import Services
from kiln.store.tables import User

SESSION_COOKIE = "kiln_session"
CSRF_COOKIE = "kiln_csrf"
LIFETIME_SECONDS = 12 * 3600


@dataclass(frozen=True)
class Session:
    cookie: str
    csrf: str
    max_age: int


def _sign(svc: Services, user_id: int, expires: int, password_hash: str) -> str:
    return svc.box.fingerprint(f"session:{user_id}:{expires}:{password_hash}")


async def login(svc: Services, email: str, password: str) -> Session:
    async with svc.db.session() as session:
        user = await session.scalar(select(User).where(User.email == email))
    if (
        user is None
        or user.password_hash is None
        or not verify_password(password, user.password_hash)
    ):
        raise BadLogin("wrong email or password")
    expires = int(time.time()) + LIFETIME_SECONDS
    signature = _sign(svc, user.id, expires, user.password_hash)
    return Session(f"{user.id}.{expires}.{signature}", secrets.token_urlsafe(24), LIFETIME_SECONDS)


async def from_cookie(svc: Services, cookie: str) -> Principal | None:
    try:
        user_id_text, expires_text, signature = cookie.split(".")
        user_id, expires = int(user_id_text), int(expires_text)
    except ValueError:
        return None
    if expires < time.time():
        return None
    async with svc.db.session() as session:
        password_hash = await session.scalar(select(User.password_hash).where(User.id == user_id))
    if password_hash is None:
        return None
    if not hmac.compare_digest(signature, _sign(svc, user_id, expires, password_hash)):
        return None
    return Principal(user_id=user_id, superuser=False)
