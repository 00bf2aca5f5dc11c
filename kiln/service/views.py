"""Read models the dashboard shows that the REST resources do not: an app's last plan, a build's
stored log lines (with their sequence numbers, so the live stream resumes after them)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from kiln.plan.model import BuildPlan
from kiln.service.context import Services
from kiln.store import builds as build_store
from kiln.store import logs as log_store
from kiln.store import workspaces as store
from kiln.store.tables import Build


@dataclass(frozen=True)
class StoredLine:
    seq: int
    step: str | None
    line: str


async def latest_plan(svc: Services, slug: str, app_slug: str) -> BuildPlan | None:
    """The plan of the app's newest build that got as far as planning; None before any."""
    async with svc.db.session() as session:
        workspace = await store.workspace_by_slug(session, slug)
        app = await store.app_by_slug(session, workspace.id, app_slug)
        plans = await session.scalars(
            select(Build.plan).where(Build.app_id == app.id).order_by(Build.number.desc()).limit(20)
        )
        stored = next((plan for plan in plans if plan), None)
    return BuildPlan.model_validate(stored) if stored else None


async def log_lines(svc: Services, build_id: str, limit: int = 20_000) -> list[StoredLine]:
    """The build's stored log, oldest first (at most `limit` lines)."""
    async with svc.db.session() as session:
        await build_store.get_build(session, build_id)
        lines = await log_store.read(session, build_id, limit=limit)
    return [StoredLine(line.seq, line.step, line.line) for line in lines]
