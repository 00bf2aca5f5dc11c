"""Build log lines: appended in batches with their sequence numbers, read back by sequence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kiln.store.tables import Build, BuildLog


@dataclass(frozen=True)
class LogLine:
    seq: int
    at: datetime
    step: str | None
    line: str


async def last_seq(session: AsyncSession, build_id: str) -> int:
    value = await session.scalar(
        select(func.coalesce(func.max(BuildLog.seq), 0)).where(BuildLog.build_id == build_id)
    )
    return int(value or 0)


async def append(
    session: AsyncSession,
    build_id: str,
    lines: Sequence[LogLine],
    *,
    added_bytes: int,
    truncated: bool,
) -> None:
    if lines:
        await session.execute(
            insert(BuildLog),
            [
                {"build_id": build_id, "seq": x.seq, "at": x.at, "step": x.step, "line": x.line}
                for x in lines
            ],
        )
    await session.execute(
        update(Build)
        .where(Build.id == build_id)
        .values(log_bytes=Build.log_bytes + added_bytes, log_truncated=truncated)
    )


async def read(
    session: AsyncSession, build_id: str, *, after: int = 0, limit: int = 5000
) -> list[LogLine]:
    rows = await session.scalars(
        select(BuildLog)
        .where(BuildLog.build_id == build_id, BuildLog.seq > after)
        .order_by(BuildLog.seq)
        .limit(limit)
    )
    return [LogLine(r.seq, r.at, r.step, r.line) for r in rows.all()]


async def tail(session: AsyncSession, build_id: str, count: int) -> list[LogLine]:
    """The last `count` lines, oldest first."""
    rows = await session.scalars(
        select(BuildLog)
        .where(BuildLog.build_id == build_id)
        .order_by(BuildLog.seq.desc())
        .limit(count)
    )
    return [LogLine(r.seq, r.at, r.step, r.line) for r in reversed(rows.all())]
