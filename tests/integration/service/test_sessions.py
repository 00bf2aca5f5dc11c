"""Dashboard sessions: login sets an HttpOnly SameSite cookie; state changes need the CSRF token;
a wrong password, a tampered cookie and a logged-out browser are refused."""

from __future__ import annotations

import httpx
import pytest

from kiln.service.access import Role, add_member_by_email, create_user
from kiln.store.db import Database
from tests.support.service import RunningService

pytestmark = [pytest.mark.integration, pytest.mark.security]
PASSWORD = "correct horse battery staple"


async def test_login_csrf_and_logout(service: RunningService) -> None:
    await service.api("POST", "/workspaces", {"slug": "acme", "name": "Acme"})
    db = Database(service.settings.database)
    try:
        await create_user(db, "ada@kiln.dev", "Ada", PASSWORD)
        await add_member_by_email(db, "ada@kiln.dev", "acme", Role.ADMIN)
    finally:
        await db.close()

    async with httpx.AsyncClient(base_url=service.url) as browser:
        wrong = await browser.post(
            "/api/v1/session", json={"email": "ada@kiln.dev", "password": "x"}
        )
        assert wrong.status_code == 401 and "kiln_session" not in wrong.cookies
        login = await browser.post(
            "/api/v1/session", json={"email": "ada@kiln.dev", "password": PASSWORD}
        )
        assert login.status_code == 200
        cookie_header = "; ".join(login.headers.get_list("set-cookie")).lower()
        assert "kiln_session=" in cookie_header and "httponly" in cookie_header
        assert "samesite=lax" in cookie_header
        csrf = login.json()["csrf_token"]

        assert (await browser.get("/api/v1/workspaces")).json()[0]["slug"] == "acme"
        registry = {"name": "r", "kind": "generic", "url": "x.io"}
        forged = await browser.post("/api/v1/workspaces/acme/registries", json=registry)
        assert forged.status_code == 403 and "CSRF" in forged.json()["error"]["message"]
        allowed = await browser.post(
            "/api/v1/workspaces/acme/registries",
            json=registry,
            headers={"X-CSRF-Token": csrf},
        )
        assert allowed.status_code == 201, allowed.text

        user, expires, signature = browser.cookies["kiln_session"].split(".")
        tampered = {"kiln_session": f"{user}.{int(expires) + 999}.{signature}"}
        async with httpx.AsyncClient(base_url=service.url, cookies=tampered) as attacker:
            assert (await attacker.get("/api/v1/workspaces")).status_code == 401
        assert (await browser.delete("/api/v1/session")).status_code == 204
        assert (await browser.get("/api/v1/workspaces")).status_code == 401
