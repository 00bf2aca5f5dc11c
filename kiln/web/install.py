"""Mount the dashboard on the FastAPI app: its pages and its static files."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from kiln.web.pages import apps, builds, quota, registries, session, workspaces
from kiln.web.render import STATIC


def install(app: FastAPI) -> None:
    for module in (session, workspaces, apps, builds, registries, quota):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
