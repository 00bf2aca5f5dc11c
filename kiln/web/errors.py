"""Errors on dashboard pages are pages too: kiln's exception tree (mapped to the same status codes
as the REST API), invalid forms, and a missing session (a redirect to the login page)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from kiln.api.errors import status_for
from kiln.errors import KilnError
from kiln.web.auth import LoginNeeded
from kiln.web.render import page

TITLES = {401: "Sign in needed", 403: "Not allowed", 404: "Not found", 409: "Conflict",
          422: "That did not work", 429: "Slow down", 503: "Try again"}  # fmt: skip


def error_page(request: Request, status: int, message: str) -> Response:
    title = TITLES.get(status, "Something went wrong")
    context = {"title": title, "status": status, "message": message}
    return page(request, "error.html", context, status_code=status)


def _problems(errors: list[Any]) -> str:
    parts = []
    for error in errors:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "__root__"))
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


class HtmlRoute(APIRoute):
    """A route whose failures render the error page instead of JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginNeeded as exc:
                return RedirectResponse(f"/login?next={quote(exc.path)}", status_code=303)
            except KilnError as exc:
                return error_page(request, status_for(exc), str(exc))
            except (ValidationError, RequestValidationError) as exc:
                return error_page(request, 422, _problems(list(exc.errors())))
            except HTTPException as exc:
                return error_page(request, exc.status_code, str(exc.detail))

        return guarded
