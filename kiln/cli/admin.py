"""`kiln admin`: bootstrap users, API tokens and memberships straight in the database."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console

from kiln.config import Settings
from kiln.errors import KilnError, UserError

if TYPE_CHECKING:
    from kiln.store.db import Database

ROLES = ("member", "admin", "owner")

admin_app = typer.Typer(no_args_is_help=True, help="Users, API tokens, memberships.")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
T = TypeVar("T")


def _with_db(action: Callable[[Database], Awaitable[T]]) -> T:
    # The store and the service load only when an admin command runs: `kiln --help` stays fast.
    from kiln.store.db import Database

    async def run() -> T:
        db = Database(Settings().database)
        try:
            await db.migrate()
            return await action(db)
        finally:
            await db.close()

    try:
        return asyncio.run(run())
    except KilnError as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(2 if isinstance(exc, UserError) else 1) from None


@admin_app.command("create-user")
def create_user_command(
    email: str,
    name: Annotated[str, typer.Option("--name")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read a password from stdin")
    ] = False,
) -> None:
    """Create a user (a password only for the dashboard login; API calls use tokens)."""
    from kiln.service.access import create_user

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    user_id = _with_db(lambda db: create_user(db, email, name or email, password))
    err.print(f"created user {email} (id {user_id})")


@admin_app.command("create-token")
def create_token_command(email: str, name: Annotated[str, typer.Option("--name")] = "cli") -> None:
    """Create an API token for a user; it is printed once, on stdout, and stored hashed."""
    from kiln.service.access import create_token

    token = _with_db(lambda db: create_token(db, email, name))
    out.print(token, markup=False)


@admin_app.command("add-member")
def add_member_command(email: str, workspace: str, role: str) -> None:
    """Give a user a role (member, admin, owner) in a workspace."""
    from kiln.service.access import Role, add_member_by_email

    if role not in ROLES:
        err.print(f"error: role must be one of {', '.join(ROLES)}, not {role!r}")
        raise typer.Exit(2)
    _with_db(lambda db: add_member_by_email(db, email, workspace, Role(role)))
    err.print(f"{email} is {role} of {workspace}")
