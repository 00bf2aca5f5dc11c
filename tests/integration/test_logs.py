"""The log sink and the follow hub against a real store (SQLite): sequence, cap, fan-out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from kiln.logs.follow import EndEvent, LogEvent, LogHub, StatusEvent
from kiln.logs.sink import LogSink
from kiln.secrets.redact import Redactor
from kiln.status import BuildStatus
from kiln.store import logs as log_store
from kiln.store.builds import create_build, transition
from kiln.store.db import Database
from kiln.store.tables import App
from kiln.store.workspaces import create_app, create_workspace

pytestmark = pytest.mark.integration


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'kiln.db'}")
    await database.migrate()
    yield database
    await database.close()


async def new_build(db: Database) -> str:
    async with db.session() as session, session.begin():
        workspace = await create_workspace(session, "ws", "WS")
        app = await create_app(
            session, App(workspace_id=workspace.id, slug="app", repo_url="x", overrides={},
                         move_latest=True),
        )  # fmt: skip
        build = await create_build(session, app_id=app.id, trigger="api", ref=None, force=False)
        return build.id


async def test_lines_are_numbered_redacted_and_capped(db: Database) -> None:
    build_id = await new_build(db)
    async with LogSink(db, build_id, redactor=Redactor(["hunter22"]), max_bytes=200) as sink:
        sink.write("password is hunter22")
        for index in range(50):
            sink.write(f"line {index:03d} " + "x" * 10)
    async with LogSink(db, build_id, redactor=Redactor(), max_bytes=200) as sink:
        sink.write("after reopening")  # dropped: the cap is persisted with the build
    async with db.session() as session:
        lines = await log_store.read(session, build_id)
    assert [line.seq for line in lines] == list(range(1, len(lines) + 1))
    assert lines[0].line == "password is ***"
    assert lines[-1].line.startswith("[kiln] log truncated at 200 bytes")
    assert sum(len(line.line) + 1 for line in lines[:-1]) <= 200


async def test_two_hundred_viewers_share_one_feed(db: Database) -> None:
    build_id = await new_build(db)
    hub = LogHub(db, poll_seconds=0.05)

    async def view() -> list[object]:
        return [event async for event in hub.follow(build_id)]

    viewers = [asyncio.create_task(view()) for _ in range(200)]
    await asyncio.sleep(0.2)
    async with LogSink(db, build_id, redactor=Redactor(), max_bytes=10**6) as sink:
        async with db.session() as session, session.begin():
            await transition(session, build_id, BuildStatus.CLONING)
        for index in range(100):
            sink.write(f"line {index}")
    async with db.session() as session, session.begin():
        await transition(session, build_id, BuildStatus.FAILED)
    results = await asyncio.wait_for(asyncio.gather(*viewers), 30)
    first = results[0]
    assert all(result == first for result in results)
    lines = [e for e in first if isinstance(e, LogEvent)]
    assert [e.seq for e in lines] == list(range(1, 101))
    statuses = [e.status for e in first if isinstance(e, StatusEvent)]
    assert statuses == ["pending", "cloning", "failed"]
    assert first[-1] == EndEvent("failed")
    assert hub._feeds == {}  # the shared feed is gone with its last viewer
