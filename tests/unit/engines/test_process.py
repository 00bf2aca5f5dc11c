import asyncio
import subprocess
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
    script = f"sleep 300 & sleep 301 & echo started; wait # {marker}"
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
    sleepers = subprocess.run(["pgrep", "-f", "^sleep 30[01]$"], capture_output=True, text=True)
    assert sleepers.stdout == ""


async def test_missing_binary_is_an_engine_error() -> None:
    with pytest.raises(EngineError, match="is not installed"):
        await run_streaming(["kiln-no-such-binary"], print)
