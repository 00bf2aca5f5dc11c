"""Reporter: where a running pipeline sends its log lines and the name of each step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

LogFn = Callable[[str], None]


def _ignore(_: str) -> None:
    return None


@dataclass(frozen=True)
class Reporter:
    log: LogFn
    step: Callable[[str], None] = field(default=_ignore)
