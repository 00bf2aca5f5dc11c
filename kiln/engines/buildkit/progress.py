"""BuildKit's `--progress rawjson` stream → kiln log lines that carry the step's name.

Each rawjson line is a SolveStatus: vertexes (the steps: name, started, completed, cached,
error), statuses (pull/push progress) and logs (a step's output, base64). Steps are numbered in
the order they appear, as `--progress plain` does; a step's output lines are prefixed with its
number and short name (`#7 [build 3/5] added 57 packages`). Anything that is not JSON (buildctl's
own error messages) is passed through unchanged.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from kiln.logs.reporter import LogFn

_STAGE_LABEL = re.compile(r"^(\[[^\]]*\d+/\d+\])")
_CACHE_IMPORT = "importing cache manifest"
_MAX_NAME = 120


@dataclass
class _Step:
    number: int
    name: str
    started: bool = False
    done: bool = False
    partial: str = ""

    @property
    def label(self) -> str:
        match = _STAGE_LABEL.match(self.name)
        return match.group(1) if match else self.name[:_MAX_NAME]


@dataclass
class ProgressLog:
    """Feed it buildctl's output lines; it writes readable lines to `log`."""

    log: LogFn
    on_step: Callable[[str], None] = lambda _name: None
    """Called with a step's full name when it starts (the engine spots the push this way)."""
    steps: dict[str, _Step] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    """`name: error` of every step that failed, for the error summary."""

    def feed(self, line: str) -> None:
        if not line.startswith("{"):
            self.log(line)
            return
        try:
            status = json.loads(line)
        except json.JSONDecodeError:
            self.log(line)
            return
        if not isinstance(status, dict):
            self.log(line)
            return
        for vertex in status.get("vertexes") or []:
            self._vertex(vertex)
        for entry in status.get("logs") or []:
            self._output(entry)
        for warning in status.get("warnings") or []:
            self._warning(warning)

    def close(self) -> None:
        """Flush output lines that never got their newline."""
        for step in self.steps.values():
            if step.partial:
                self.log(f"#{step.number} {step.label} {step.partial}")
                step.partial = ""

    def _step(self, digest: str, name: str = "") -> _Step:
        step = self.steps.get(digest)
        if step is None:
            step = self.steps[digest] = _Step(len(self.steps) + 1, name or digest[:19])
        elif name and step.name != name:
            step.name = name
        return step

    def _vertex(self, vertex: dict[str, object]) -> None:
        step = self._step(str(vertex.get("digest", "")), str(vertex.get("name") or ""))
        if vertex.get("started") and not step.started:
            step.started = True
            self.log(f"#{step.number} {step.name}")
            self.on_step(step.name)
        if step.done:
            return
        error = vertex.get("error")
        if error and step.name.startswith(_CACHE_IMPORT):
            step.done = True  # a first build has no registry cache yet; the build goes on
            self.log(f"#{step.number} no usable registry cache: {error}")
        elif error:
            step.done = True
            self.failed.append(f"{step.name}: {error}")
            self.log(f"#{step.number} ERROR: {error}")
        elif vertex.get("cached") and vertex.get("completed"):
            step.done = True
            self.log(f"#{step.number} CACHED {step.label}")
        elif vertex.get("completed"):
            step.done = True
            seconds = _seconds(vertex.get("started"), vertex.get("completed"))
            self.log(f"#{step.number} DONE {step.label}" + (f" {seconds:.1f}s" if seconds else ""))

    def _output(self, entry: dict[str, object]) -> None:
        step = self._step(str(entry.get("vertex", "")))
        text = step.partial + _decode(entry.get("data"))
        *complete, step.partial = text.replace("\r\n", "\n").split("\n")
        for line in complete:
            self.log(f"#{step.number} {step.label} {line.rstrip()}")

    def _warning(self, warning: dict[str, object]) -> None:
        step = self._step(str(warning.get("vertex", "")))
        self.log(f"#{step.number} WARNING: {_decode(warning.get('short')).strip()}")


def _decode(data: object) -> str:
    if not isinstance(data, str):
        return ""
    try:
        return base64.b64decode(data).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return data


def _seconds(started: object, completed: object) -> float | None:
    try:
        begin = datetime.fromisoformat(str(started))
        end = datetime.fromisoformat(str(completed))
    except ValueError:
        return None
    return (end - begin).total_seconds()
