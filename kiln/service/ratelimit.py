"""A per-key sliding-window rate limit (build triggers per workspace), kept in memory per API
process: with N API processes the effective limit is at most N times the setting."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

from kiln.errors import RateLimited

WINDOW_SECONDS = 60.0


class RateLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def hit(self, key: str, what: str) -> None:
        now = self.clock()
        hits = self._hits[key]
        while hits and hits[0] <= now - WINDOW_SECONDS:
            hits.popleft()
        if len(hits) >= self.per_minute:
            wait = int(hits[0] + WINDOW_SECONDS - now) + 1
            raise RateLimited(
                f"too many {what}: {self.per_minute} per minute; try again in {wait} s"
            )
        hits.append(now)
