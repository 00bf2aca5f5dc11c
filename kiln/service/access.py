"""Who is calling, and what they may do: API tokens, workspace roles (owner > admin > member).

Members read; admins and owners create and change apps and registry configs and run builds;
only owners delete registry configs and change the workspace (its quota). Someone outside a
workspace gets 404 for everything in it, so the existence of objects does not leak.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select, update

from kiln.errors import Forbidden, NotFound, UserError
from kiln.service.context import Services
from kiln.store.builds import get_build, now
from kiln.store.db import Database
from kiln.store.tables import ApiToken, App, Membership, User, Workspace

TOKEN_PREFIX = "kiln_"  # noqa: S105 - the visible prefix of API tokens
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class Role(StrEnum):
    MEMBER = "member"
    ADMIN = "admin"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        return {"member": 1, "admin": 2, "owner": 3}[self.value]


@dataclass(frozen=True)
class Principal:
    user_id: int | None
    superuser: bool
    """The bootstrap token: owner of every workspace."""
    workspace_id: int | None = None
    """A scoped token: only this workspace …"""
    max_role: Role | None = None
    """… with at most this role."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    _, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), **SCRYPT)
    return hmac.compare_digest(candidate.hex(), digest)


async def authenticate(svc: Services, token: str) -> Principal | None:
    bootstrap = svc.settings.bootstrap_token
    if bootstrap and hmac.compare_digest(token.encode(), bootstrap.encode()):
        return Principal(user_id=None, superuser=True)
    if not token.startswith(TOKEN_PREFIX):
        return None
    async with svc.db.session() as session, session.begin():
        row = await session.scalar(
            select(ApiToken).where(
                ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None)
            )
        )
        if row is None:
            return None
        await session.execute(
            update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now())
        )
        return Principal(
            user_id=row.user_id, superuser=False, workspace_id=row.workspace_id,
            max_role=Role(row.role) if row.role else None,
        )  # fmt: skip


async def role_in(svc: Services, principal: Principal, workspace_id: int) -> Role | None:
    if principal.superuser:
        return Role.OWNER
    if principal.workspace_id is not None and principal.workspace_id != workspace_id:
        return None
    async with svc.db.session() as session:
        role = await session.scalar(
            select(Membership.role).where(
                Membership.user_id == principal.user_id, Membership.workspace_id == workspace_id
            )
        )
    if not role:
        return None
    granted = Role(role)
    if principal.max_role is not None and principal.max_role.rank < granted.rank:
        return principal.max_role
    return granted


async def require_workspace(svc: Services, principal: Principal, slug: str, needed: Role) -> None:
    async with svc.db.session() as session:
        workspace_id = await session.scalar(select(Workspace.id).where(Workspace.slug == slug))
    role = await role_in(svc, principal, workspace_id) if workspace_id is not None else None
    if role is None:
        raise NotFound(f"workspace {slug!r} not found")
    if role.rank < needed.rank:
        raise Forbidden(f"this needs the {needed} role in workspace {slug!r}; you are {role}")


async def require_build(svc: Services, principal: Principal, build_id: str, needed: Role) -> None:
    try:
        async with svc.db.session() as session:
            build = await get_build(session, build_id)
            slug = await session.scalar(
                select(Workspace.slug)
                .join(App, App.workspace_id == Workspace.id)
                .where(App.id == build.app_id)
            )
        assert slug is not None
        await require_workspace(svc, principal, slug, needed)
    except NotFound:
        raise NotFound(f"build {build_id} not found") from None


async def visible_workspace_ids(svc: Services, principal: Principal) -> set[int] | None:
    """The workspaces a principal may see (None: all of them)."""
    if principal.superuser:
        return None
    async with svc.db.session() as session:
        rows = await session.scalars(
            select(Membership.workspace_id).where(Membership.user_id == principal.user_id)
        )
        visible = set(rows.all())
    if principal.workspace_id is not None:
        visible &= {principal.workspace_id}
    return visible


async def add_member(db: Database, user_id: int, workspace_id: int, role: Role) -> None:
    async with db.session() as session, session.begin():
        existing = await session.scalar(
            select(Membership).where(
                Membership.user_id == user_id, Membership.workspace_id == workspace_id
            )
        )
        if existing is None:
            session.add(Membership(user_id=user_id, workspace_id=workspace_id, role=role))
        else:
            existing.role = role


async def create_user(db: Database, email: str, name: str, password: str | None) -> int:
    if "@" not in email or len(email) > 255:
        raise UserError(f"{email!r} is not an email address")
    async with db.session() as session, session.begin():
        if await session.scalar(select(User.id).where(User.email == email)) is not None:
            raise UserError(f"a user {email!r} already exists")
        user = User(
            email=email, name=name, created_at=now(),
            password_hash=hash_password(password) if password else None,
        )  # fmt: skip
        session.add(user)
        await session.flush()
        return user.id


async def create_token(
    db: Database, email: str, name: str, *, workspace: str | None = None, role: Role | None = None
) -> str:
    """A new API token for a user (optionally scoped to one workspace and a maximum role);
    returned once, stored only as a hash."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with db.session() as session, session.begin():
        user_id = await session.scalar(select(User.id).where(User.email == email))
        if user_id is None:
            raise NotFound(f"user {email!r} not found")
        workspace_id = None
        if workspace is not None:
            workspace_id = await session.scalar(
                select(Workspace.id).where(Workspace.slug == workspace)
            )
            if workspace_id is None:
                raise NotFound(f"workspace {workspace!r} not found")
        session.add(
            ApiToken(
                user_id=user_id, name=name, token_hash=token_hash(token),
                prefix=token[: len(TOKEN_PREFIX) + 6], created_at=now(),
                workspace_id=workspace_id, role=role.value if role else None,
            )
        )  # fmt: skip
    return token


async def revoke_token(db: Database, prefix: str) -> int:
    """Revoke the tokens starting with `prefix` (the part `kiln admin create-token` shows)."""
    if len(prefix) < len(TOKEN_PREFIX) + 6:
        raise UserError("give at least the first 11 characters of the token")
    async with db.session() as session, session.begin():
        result = await session.execute(
            update(ApiToken)
            .where(
                ApiToken.prefix == prefix[: len(TOKEN_PREFIX) + 6], ApiToken.revoked_at.is_(None)
            )
            .values(revoked_at=now())
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def add_member_by_email(db: Database, email: str, slug: str, role: Role) -> None:
    async with db.session() as session:
        user_id = await session.scalar(select(User.id).where(User.email == email))
        workspace_id = await session.scalar(select(Workspace.id).where(Workspace.slug == slug))
    if user_id is None:
        raise NotFound(f"user {email!r} not found")
    if workspace_id is None:
        raise NotFound(f"workspace {slug!r} not found")
    await add_member(db, user_id, workspace_id, role)
