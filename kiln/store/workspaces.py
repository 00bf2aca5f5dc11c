"""Workspaces, their registries and their apps: create, look up by slug, list, update."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kiln.errors import Conflict, NotFound
from kiln.store.builds import now
from kiln.store.tables import DEFAULT_QUOTA_BYTES, App, Registry, Workspace


async def _insert(session: AsyncSession, row: Any, what: str) -> None:
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(f"{what} already exists") from exc


async def create_workspace(session: AsyncSession, slug: str, name: str) -> Workspace:
    workspace = Workspace(slug=slug, name=name, quota_bytes=DEFAULT_QUOTA_BYTES, created_at=now())
    await _insert(session, workspace, f"workspace {slug!r}")
    return workspace


async def workspace_by_slug(session: AsyncSession, slug: str) -> Workspace:
    workspace = await session.scalar(select(Workspace).where(Workspace.slug == slug))
    if workspace is None:
        raise NotFound(f"workspace {slug!r} not found")
    return workspace


async def list_workspaces(session: AsyncSession) -> list[Workspace]:
    return list((await session.scalars(select(Workspace).order_by(Workspace.slug))).all())


async def create_registry(session: AsyncSession, registry: Registry) -> Registry:
    if registry.is_default:
        await session.execute(
            update(Registry)
            .where(Registry.workspace_id == registry.workspace_id)
            .values(is_default=False)
        )
    registry.created_at = now()
    await _insert(session, registry, f"registry {registry.name!r}")
    return registry


async def set_default(session: AsyncSession, registry: Registry, is_default: bool) -> None:
    """Make `registry` the workspace default (unsetting the others), or not the default."""
    if is_default:
        await session.execute(
            update(Registry)
            .where(Registry.workspace_id == registry.workspace_id, Registry.id != registry.id)
            .values(is_default=False)
        )
    registry.is_default = is_default


async def list_registries(session: AsyncSession, workspace_id: int) -> list[Registry]:
    rows = await session.scalars(
        select(Registry).where(Registry.workspace_id == workspace_id).order_by(Registry.name)
    )
    return list(rows.all())


async def registry_by_name(session: AsyncSession, workspace_id: int, name: str) -> Registry:
    registry = await session.scalar(
        select(Registry).where(Registry.workspace_id == workspace_id, Registry.name == name)
    )
    if registry is None:
        raise NotFound(f"registry {name!r} not found")
    return registry


async def registry_for_app(session: AsyncSession, app: App) -> Registry | None:
    """The app's own registry, else the workspace default, else None."""
    if app.registry_id is not None:
        return await session.get(Registry, app.registry_id)
    return await session.scalar(
        select(Registry).where(Registry.workspace_id == app.workspace_id, Registry.is_default)
    )


async def create_app(session: AsyncSession, app: App) -> App:
    app.created_at = now()
    await _insert(session, app, f"app {app.slug!r}")
    return app


async def app_by_slug(session: AsyncSession, workspace_id: int, slug: str) -> App:
    app = await session.scalar(
        select(App).where(App.workspace_id == workspace_id, App.slug == slug)
    )
    if app is None:
        raise NotFound(f"app {slug!r} not found")
    return app


async def list_apps(session: AsyncSession, workspace_id: int) -> list[App]:
    rows = await session.scalars(
        select(App).where(App.workspace_id == workspace_id).order_by(App.slug)
    )
    return list(rows.all())
