"""run_streaming: line streaming, process-group cancel, and no orphan when the parent is killed."""

import asyncio
import random
import signal
import subprocess
import sys
import time
import uuid

import pytest

from kiln.engines.process import run_streaming
from kiln.errors import EngineError


async def test_lines_stream_in_order_with_the_exit_code() -> None:
    lines: list[str] = []
    result = await run_streaming(["sh", "-c", "echo one; echo two >&2; exit 3"], lines.append)
    assert lines == ["one", "two"]
    assert result.returncode == 3 and result.tail == ["one", "two"]


async def test_cancel_kills_the_whole_process_group() -> None:
    marker = f"kiln-test-{uuid.uuid4().hex}"
    # Durations unique to this run, so other processes on the machine cannot be mistaken for ours.
    first, second = (f"30{n}.{random.randrange(10**6)}" for n in (0, 1))
    script = f"sleep {first} & sleep {second} & echo started; wait # {marker}"
    started = asyncio.Event()

    def log(line: str) -> None:
        if line == "started":
            started.set()

    task = asyncio.create_task(run_streaming(["sh", "-c", script], log))
    await asyncio.wait_for(started.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.2)
    survivors = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout
    assert survivors == ""
    pattern = f"^sleep ({first}|{second})$"
    sleepers = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True)
    assert sleepers.stdout == ""


async def test_missing_binary_is_an_engine_error() -> None:
    with pytest.raises(EngineError, match="is not installed"):
        await run_streaming(["kiln-no-such-binary"], print)


def test_the_engine_process_dies_with_a_killed_parent() -> None:
    """kill -9 of a worker must not leave its engine process running for nobody."""
    marker = f"kiln-orphan-{uuid.uuid4().hex}"
    child = (
        "import asyncio, sys\n"
        "from kiln.engines.process import run_streaming\n"
        "argv = [sys.executable, '-c', 'import time; print(1, flush=True); time.sleep(300)', "
        f"'{marker}']\n"
        "asyncio.run(run_streaming(argv, lambda line: print(line, flush=True)))\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    assert parent.stdout.readline().strip() == "1"
    assert subprocess.run(["pgrep", "-f", marker], capture_output=True).stdout != b""
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if subprocess.run(["pgrep", "-f", marker], capture_output=True).stdout == b"":
            break
        time.sleep(0.1)
    assert subprocess.run(["pgrep", "-f", marker], capture_output=True).stdout == b""
