"""LogSink: every build log line gets a sequence number, is redacted, and is stored in batches.

Lines are persisted before anyone can see them (viewers read the store), so a viewer that
reconnects with the last sequence it saw loses and repeats nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

from kiln.secrets.redact import Redactor
from kiln.store import logs as log_store
from kiln.store.builds import get_build
from kiln.store.db import Database

FLUSH_INTERVAL_SECONDS = 0.2
MAX_BATCH = 500
MAX_LINE_CHARS = 8192


class LogSink:
    def __init__(self, db: Database, build_id: str, *, redactor: Redactor, max_bytes: int) -> None:
        self.db = db
        self.build_id = build_id
        self.redactor = redactor
        self.max_bytes = max_bytes
        self.step: str | None = None
        self._seq = 0
        self._bytes = 0
        self._truncated = False
        self._pending: list[log_store.LogLine] = []
        self._pending_bytes = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> LogSink:
        async with self.db.session() as session:
            self._seq = await log_store.last_seq(session, self.build_id)
            build = await get_build(session, self.build_id)
            self._bytes, self._truncated = build.log_bytes, build.log_truncated
        self._task = asyncio.create_task(self._flush_loop())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()

    def write(self, line: str) -> None:
        """Queue one line (called from the engine's output loop; never blocks)."""
        for ready in self.redactor.feed(line[:MAX_LINE_CHARS]):
            self._append(ready)

    def _append(self, text: str) -> None:
        if self._truncated:
            return
        size = len(text.encode()) + 1
        if self._bytes + self._pending_bytes + size > self.max_bytes:
            self._truncated = True
            text = f"[kiln] log truncated at {self.max_bytes} bytes; later output is not stored"
            size = len(text) + 1
        self._seq += 1
        self._pending.append(log_store.LogLine(self._seq, datetime.now(UTC), self.step, text))
        self._pending_bytes += size
        if len(self._pending) >= MAX_BATCH:
            self._wake.set()

    async def flush(self) -> None:
        for held in self.redactor.drain():
            self._append(held)
        async with self._lock:
            if not self._pending:
                return
            batch, added = self._pending, self._pending_bytes
            self._pending, self._pending_bytes = [], 0
            async with self.db.session() as session, session.begin():
                await log_store.append(
                    session, self.build_id, batch, added_bytes=added, truncated=self._truncated
                )
            self._bytes += added

    async def _flush_loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), FLUSH_INTERVAL_SECONDS)
            self._wake.clear()
            # Shielded: closing the sink cancels this loop, and a batch cancelled mid-insert would
            # be lost (taken from _pending, rolled back). The final flush() waits for it (the lock).
            await asyncio.shield(self.flush())
