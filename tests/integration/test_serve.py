"""`kiln serve` as a user runs it: it starts its embedded Temporal server, answers, and on SIGTERM
(or when killed outright) leaves no Temporal process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.servers import free_port

pytestmark = pytest.mark.integration


def start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KILN_DATA_DIR": str(data_dir), "KILN_BOOTSTRAP_TOKEN": "t",
           "KILN_PORT": str(port), "KILN_GRPC_PORT": str(free_port())}  # fmt: skip
    process = subprocess.Popen([sys.executable, "-m", "kiln", "serve"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.3)
    process.kill()
    pytest.fail("kiln serve did not become healthy")


def temporal_processes(data_dir: Path) -> str:
    return subprocess.run(["pgrep", "-af", f"temporal.*{data_dir}"], capture_output=True,
                          text=True).stdout.strip()  # fmt: skip


def wait_gone(data_dir: Path) -> str:
    deadline = time.monotonic() + 15
    while (left := temporal_processes(data_dir)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_serve_stops_its_temporal_server(tmp_path: Path, how: signal.Signals) -> None:
    data_dir = tmp_path / "data"
    process = start(data_dir, free_port())
    assert temporal_processes(data_dir) != ""
    process.send_signal(how)
    process.wait(30)
    assert wait_gone(data_dir) == ""
