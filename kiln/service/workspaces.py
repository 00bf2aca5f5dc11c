"""Workspaces and their registry configurations (secrets encrypted, never returned)."""

from __future__ import annotations

from kiln.errors import KilnError
from kiln.registry.connect import connect
from kiln.registry.credentials import Credentials
from kiln.registry.kinds import validate_registry
from kiln.service.access import Principal, Role, add_member, visible_workspace_ids
from kiln.service.context import Services
from kiln.service.models import (
    RegistryCheckPublic,
    RegistryCreate,
    RegistryPublic,
    RegistryUpdate,
    WorkspaceCreate,
    WorkspacePublic,
)
from kiln.source.ssrf import check_host
from kiln.store import workspaces as store
from kiln.store.context import registry_target
from kiln.store.tables import Registry, Workspace


def workspace_public(row: Workspace) -> WorkspacePublic:
    return WorkspacePublic(
        slug=row.slug, name=row.name, quota_bytes=row.quota_bytes, created_at=row.created_at
    )


def registry_public(row: Registry) -> RegistryPublic:
    return RegistryPublic(
        name=row.name, kind=row.kind, url=row.url, namespace=row.namespace,
        username=row.username, has_secret=row.secret_encrypted is not None,
        is_default=row.is_default,
    )  # fmt: skip


async def create_workspace(
    svc: Services, request: WorkspaceCreate, creator: Principal
) -> WorkspacePublic:
    async with svc.db.session() as session, session.begin():
        workspace = await store.create_workspace(session, request.slug, request.name)
    if creator.user_id is not None:
        await add_member(svc.db, creator.user_id, workspace.id, Role.OWNER)
    return workspace_public(workspace)


async def list_workspaces(svc: Services, viewer: Principal) -> list[WorkspacePublic]:
    visible = await visible_workspace_ids(svc, viewer)
    async with svc.db.session() as session:
        return [
            workspace_public(w)
            for w in await store.list_workspaces(session)
            if visible is None or w.id in visible
        ]


async def get_workspace(svc: Services, slug: str) -> WorkspacePublic:
    async with svc.db.session() as session:
        return workspace_public(await store.workspace_by_slug(session, slug))


async def create_registry(svc: Services, slug: str, request: RegistryCreate) -> RegistryPublic:
    validate_registry(request.kind, request.url, request.username, request.secret)
    await check_host(request.url.rsplit(":", 1)[0], allow=svc.settings.allow_link_local)
    async with svc.db.session() as session, session.begin():
        workspace = await store.workspace_by_slug(session, slug)
        row = Registry(
            workspace_id=workspace.id, name=request.name, kind=request.kind, url=request.url,
            namespace=request.namespace, username=request.username,
            secret_encrypted=svc.box.encrypt(request.secret) if request.secret else None,
            is_default=request.is_default,
        )  # fmt: skip
        return registry_public(await store.create_registry(session, row))


async def list_registries(svc: Services, slug: str) -> list[RegistryPublic]:
    async with svc.db.session() as session:
        workspace = await store.workspace_by_slug(session, slug)
        return [registry_public(r) for r in await store.list_registries(session, workspace.id)]


async def test_registry(svc: Services, slug: str, name: str) -> RegistryCheckPublic:
    """Check that the registry answers, accepts the credentials and grants push, without pushing."""
    async with svc.db.session() as session:
        workspace = await store.workspace_by_slug(session, slug)
        target = registry_target(await store.registry_by_name(session, workspace.id, name), svc.box)
    credentials = (
        Credentials(target.username, target.secret) if target.username and target.secret else None
    )
    repository = "/".join(p for p in (target.namespace, "kiln-connection-check") if p)
    try:
        async with connect(svc.settings, target.host, credentials) as client:
            await client.ping()
            await client.check_push_access(repository)
    except KilnError as exc:
        return RegistryCheckPublic(ok=False, message=str(exc))
    return RegistryCheckPublic(
        ok=True, message=f"{target.host}: login and push to {repository} allowed"
    )


async def update_registry(
    svc: Services, slug: str, name: str, request: RegistryUpdate
) -> RegistryPublic:
    """Change a registry config; the secret is replaced only when a new one is given."""
    async with svc.db.session() as session, session.begin():
        workspace = await store.workspace_by_slug(session, slug)
        row = await store.registry_by_name(session, workspace.id, name)
        url = request.url if request.url is not None else row.url
        username = request.username if request.username is not None else row.username
        kept = svc.box.decrypt(row.secret_encrypted) if row.secret_encrypted else None
        secret = request.secret or (None if request.clear_secret else kept)
        validate_registry(row.kind, url, username or None, secret)
        await check_host(url.rsplit(":", 1)[0], allow=svc.settings.allow_link_local)
        row.url, row.username = url, username or None
        if request.namespace is not None:
            row.namespace = request.namespace
        row.secret_encrypted = svc.box.encrypt(secret) if secret else None
        if request.is_default is not None:
            await store.set_default(session, row, request.is_default)
        return registry_public(row)


async def delete_registry(svc: Services, slug: str, name: str) -> None:
    async with svc.db.session() as session, session.begin():
        workspace = await store.workspace_by_slug(session, slug)
        await session.delete(await store.registry_by_name(session, workspace.id, name))
