"""Run an engine's process in its own process group, stream its lines, kill the group on cancel."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import os
import signal
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from kiln.errors import EngineError
from kiln.logs.reporter import LogFn

TERMINATE_GRACE_SECONDS = 3.0
TAIL_LINES = 60
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class ProcessResult:
    returncode: int
    tail: list[str]
    """The last lines of output, for error messages and diagnosis."""


def die_with_parent(sig: signal.Signals = signal.SIGTERM) -> None:
    """Linux, in a child before exec: get `sig` when the parent dies without cleaning up (kill -9).

    A worker killed mid-build must not leave its engine process building for nobody.
    """
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, sig)


def _kill_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


async def run_streaming(
    argv: Sequence[str],
    log: LogFn,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> ProcessResult:
    """Run argv with stdout+stderr merged into `log`, line by line.

    Cancelling the awaiting task terminates the whole process group (SIGTERM, then SIGKILL).
    """
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=die_with_parent,
            limit=1024 * 1024,
        )
    except FileNotFoundError as exc:
        raise EngineError(f"{argv[0]} is not installed (run `make setup`)") from exc
    assert process.stdout is not None
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    try:
        while True:
            try:
                raw = await process.stdout.readline()
            except ValueError:  # a line longer than the limit: read what is there
                raw = await process.stdout.read(1024 * 1024)
            if not raw:
                break
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            tail.append(line)
            log(line)
        returncode = await process.wait()
    except asyncio.CancelledError:
        await _terminate(process)
        raise
    finally:
        if process.returncode is None:
            await _terminate(process)
    return ProcessResult(returncode, list(tail))


async def _terminate(process: asyncio.subprocess.Process) -> None:
    _kill_group(process.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), TERMINATE_GRACE_SECONDS)
    except TimeoutError:
        _kill_group(process.pid, signal.SIGKILL)
        await process.wait()
    _kill_group(process.pid, signal.SIGKILL)  # stragglers that ignored SIGTERM in the group
