"""Who is calling a gRPC method: the same API tokens and role checks as the REST routes
(`authorization: Bearer <token>` metadata; member reads, admin builds and changes)."""

from __future__ import annotations

from kiln.errors import BadLogin, UserError
from kiln.grpc.errors import Context
from kiln.service.access import Principal, Role, authenticate, require_build, require_workspace
from kiln.service.context import Services


def bearer_token(context: Context) -> str | None:
    for key, value in context.invocation_metadata() or ():
        if key == "authorization" and isinstance(value, str):
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


async def caller(svc: Services, context: Context) -> Principal:
    token = bearer_token(context)
    found = await authenticate(svc, token) if token else None
    if found is None:
        raise BadLogin(
            "missing or invalid bearer token",
            hint="send `authorization: Bearer <API token>` metadata",
        )
    return found


async def in_workspace(svc: Services, context: Context, slug: str, role: Role) -> None:
    """Authenticate, then check `role` in workspace `slug` (NOT_FOUND outside it)."""
    principal = await caller(svc, context)
    if not slug:
        raise UserError("workspace is required")
    await require_workspace(svc, principal, slug, role)


async def on_build(
    svc: Services, context: Context, build_id: str, role: Role, principal: Principal | None = None
) -> None:
    """Authenticate (unless `principal` is known), then check `role` in the build's workspace."""
    principal = principal or await caller(svc, context)
    if not build_id:
        raise UserError("build_id is required")
    await require_build(svc, principal, build_id, role)
