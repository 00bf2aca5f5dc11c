"""Run a built image the way DESIGN.md §7 says works here: `buildah from` + `buildah run`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from kiln.config import Settings


@dataclass
class RunningImage:
    process: subprocess.Popen[str]
    config: dict[str, Any]

    def output(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.read()


def _buildah(settings: Settings) -> list[str]:
    """The same image store the engine builds into (KILN_BUILDAH_ROOT when set)."""
    argv = ["buildah", "--storage-driver", settings.buildah_storage_driver]
    if settings.buildah_root is not None:
        root = settings.buildah_root
        argv += ["--root", str(root), "--runroot", str(root / "run")]
    return argv


def image_config(settings: Settings, image: str) -> dict[str, Any]:
    out = subprocess.run(
        [*_buildah(settings), "inspect", "--type", "image", image],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    config: dict[str, Any] = json.loads(out)["OCIv1"]["config"]
    return config


@contextmanager
def run_image(settings: Settings, image: str, env: dict[str, str]) -> Iterator[RunningImage]:
    """Start the image's own command (host network); stop the whole tree afterwards."""
    container = subprocess.run(
        [*_buildah(settings), "from", "--tls-verify=false", "--pull-never", image],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    try:
        config = image_config(settings, image)
        command = [*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])]
        env_args = [arg for key, value in env.items() for arg in ("--env", f"{key}={value}")]
        process = subprocess.Popen(
            [
                *_buildah(settings), "run", "--runtime", settings.buildah_runtime,
                "--network", "host", *env_args, container, "--", *command,
            ],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )  # fmt: skip
        try:
            yield RunningImage(process, config)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(10)
            if process.stdout is not None:
                process.stdout.close()
    finally:
        subprocess.run([*_buildah(settings), "rm", container], capture_output=True, check=False)


def wait_for_http(url: str, timeout: float = 60.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError as exc:
            last = exc
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout:.0f}s: {last}")
