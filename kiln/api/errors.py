"""One place that maps kiln's exception tree to HTTP: `{"error": {"code", "message"}}`."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from kiln.errors import (
    BadLogin,
    BadSignature,
    Conflict,
    Forbidden,
    KilnError,
    NotFound,
    RateLimited,
    TransientError,
    UserError,
)

STATUS_BY_TYPE: tuple[tuple[type[KilnError], int], ...] = (
    (BadSignature, 401),
    (BadLogin, 401),
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (RateLimited, 429),
    (UserError, 422),
    (TransientError, 503),
)


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def status_for(exc: KilnError) -> int:
    return next((status for kind, status in STATUS_BY_TYPE if isinstance(exc, kind)), 500)


def install(app: FastAPI) -> None:
    @app.exception_handler(KilnError)
    async def kiln_error(_: Request, exc: KilnError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, str(exc)), status_code=status_for(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
            problems.append(f"{where}: {error.get('msg')}" if where else str(error.get("msg")))
        return JSONResponse(error_body("invalid", "; ".join(problems)), status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        code = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found"}
        return JSONResponse(
            error_body(code.get(exc.status_code, "error"), str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )
