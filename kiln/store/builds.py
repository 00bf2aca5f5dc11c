"""Build records: create, read, page, and the one `transition()` that changes a status."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kiln.errors import NotFound
from kiln.status import BuildStatus, check_transition
from kiln.store.tables import Build, BuildTransition


def now() -> datetime:
    return datetime.now(UTC)


async def create_build(
    session: AsyncSession,
    *,
    app_id: int,
    trigger: str,
    ref: str | None,
    force: bool,
    commit_sha: str | None = None,
    retry_of: str | None = None,
    workflow_id: str | None = None,
) -> Build:
    number = (
        await session.scalar(
            select(func.coalesce(func.max(Build.number), 0)).where(Build.app_id == app_id)
        )
        or 0
    ) + 1
    created = now()
    build = Build(
        id=str(uuid.uuid4()), app_id=app_id, number=number, status=BuildStatus.PENDING,
        trigger=trigger, ref=ref, force=force, commit_sha=commit_sha, retry_of=retry_of,
        workflow_id=workflow_id, log_bytes=0, log_truncated=False, created_at=created,
    )  # fmt: skip
    session.add(build)
    session.add(BuildTransition(build_id=build.id, status=BuildStatus.PENDING, at=created))
    await session.flush()
    return build


async def get_build(session: AsyncSession, build_id: str, *, lock: bool = False) -> Build:
    query = select(Build).where(Build.id == build_id)
    if lock:
        query = query.with_for_update()
    build = await session.scalar(query)
    if build is None:
        raise NotFound(f"build {build_id} not found")
    return build


async def transition(
    session: AsyncSession, build_id: str, status: BuildStatus, **fields: Any
) -> Build:
    """Change a build's status (checked against status.ALLOWED), stamp it, set other fields."""
    build = await get_build(session, build_id, lock=True)
    current = BuildStatus(build.status)
    if check_transition(current, status):
        at = now()
        build.status = status
        session.add(BuildTransition(build_id=build_id, status=status, at=at))
        if current == BuildStatus.PENDING:
            build.started_at = at
        if status.terminal:
            build.finished_at = at
    for name, value in fields.items():
        setattr(build, name, value)
    await session.flush()
    return build


async def transitions(session: AsyncSession, build_id: str) -> Sequence[BuildTransition]:
    rows = await session.scalars(
        select(BuildTransition)
        .where(BuildTransition.build_id == build_id)
        .order_by(BuildTransition.id)
    )
    return rows.all()


@dataclass(frozen=True)
class StepTiming:
    name: str
    status: str
    started_at: datetime
    finished_at: datetime | None


def steps_from(history: Sequence[BuildTransition], final: BuildStatus) -> list[StepTiming]:
    """clone / analyze / build / push with their times, derived from the transitions."""
    steps: list[StepTiming] = []
    for index, row in enumerate(history):
        step = BuildStatus(row.status).step
        if step is None:
            continue
        following = history[index + 1] if index + 1 < len(history) else None
        if following is None:
            state = "running" if not final.terminal else final.value
        else:
            following_status = BuildStatus(following.status)
            state = following_status.value if following_status in (
                BuildStatus.FAILED, BuildStatus.CANCELLED
            ) else "done"  # fmt: skip
        steps.append(StepTiming(step, state, row.at, following.at if following else None))
    return steps


async def page_builds(
    session: AsyncSession,
    app_id: int,
    *,
    status: str | None,
    limit: int,
    before_number: int | None,
) -> list[Build]:
    query = select(Build).where(Build.app_id == app_id)
    if status:
        query = query.where(Build.status == status)
    if before_number is not None:
        query = query.where(Build.number < before_number)
    rows = await session.scalars(query.order_by(Build.number.desc()).limit(limit))
    return list(rows.all())


async def find_active_by_workflow(session: AsyncSession, workflow_id: str) -> Build | None:
    """The non-finished build running under a workflow id (a duplicate trigger attaches to it)."""
    rows = await session.scalars(
        select(Build)
        .where(Build.workflow_id == workflow_id, Build.finished_at.is_(None))
        .order_by(Build.created_at.desc())
        .limit(1)
    )
    return rows.first()


async def transitions_after(
    session: AsyncSession, build_id: str, after_id: int
) -> Sequence[BuildTransition]:
    rows = await session.scalars(
        select(BuildTransition)
        .where(BuildTransition.build_id == build_id, BuildTransition.id > after_id)
        .order_by(BuildTransition.id)
    )
    return rows.all()
