"""`create_app(services)`: the FastAPI application, no import-time globals."""

from __future__ import annotations

from fastapi import Depends, FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiln import __version__
from kiln.api import errors
from kiln.api.deps import principal
from kiln.api.routes import apps, builds, hooks, session, workspaces
from kiln.service.context import Services
from kiln.web.install import install as install_dashboard

MAX_BODY_BYTES = 1024 * 1024


class BodyLimit:
    """Refuse request bodies over MAX_BODY_BYTES with 413, declared or streamed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            await _too_large(send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES:
                raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _too_large(send)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send) -> None:
    body = b'{"error": {"code": "too_large", "message": "request body over 1 MiB"}}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def create_app(services: Services) -> FastAPI:
    app = FastAPI(
        title="kiln",
        version=__version__,
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    app.state.services = services
    errors.install(app)
    protected = [Depends(principal)]
    for module in (workspaces, apps, builds):
        app.include_router(module.router, prefix="/api/v1", dependencies=protected)
    app.include_router(hooks.router, prefix="/api/v1")  # signed, not token-authenticated
    app.include_router(session.router, prefix="/api/v1")  # logs in: no token yet
    install_dashboard(app)  # the web dashboard: HTML pages and /static

    @app.get("/healthz", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.add_middleware(BodyLimit)
    return app
