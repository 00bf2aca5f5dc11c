"""Real buildkitd daemons for tests and benchmarks: OCI worker on Debian's runc, unix socket.

The daemon trusts the given registries over plain HTTP (`[registry."host"] http = true`), runs
RUN steps on the host network (the TLS-intercepting proxy is reached like from the host) and
keeps its state under `root`.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Buildkitd:
    address: str
    """unix:///…/buildkitd.sock"""
    root: Path
    process: subprocess.Popen[bytes]
    log: Path

    def answers(self, timeout: float = 5) -> bool:
        probe = ["buildctl", "--addr", self.address, "--timeout", "3", "debug", "workers"]
        try:
            return subprocess.run(probe, capture_output=True, timeout=timeout).returncode == 0
        except subprocess.TimeoutExpired:
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.release_mounts()

    def release_mounts(self) -> None:
        """A daemon killed mid-build leaves its step's rootfs and cache mounts behind, which
        would make removing its root fail ("device busy"): detach them, deepest first."""
        prefix = f"{self.root.resolve()}/"
        mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
        for target in sorted((m for m in mounts if m.startswith(prefix)), reverse=True):
            subprocess.run(["umount", "-l", target], capture_output=True, check=False)


def require_buildkit() -> None:
    """buildkitd, buildctl and runc must exist: a missing prerequisite fails, never skips."""
    for binary in ("buildkitd", "buildctl", "runc"):
        if shutil.which(binary) is None:
            pytest.fail(f"{binary} is not installed: run `make setup` (install-buildkit.sh)")


def daemon_config(insecure_registries: Sequence[str]) -> str:
    lines = [
        "[worker.oci]",
        "  enabled = true",
        '  binary = "runc"',
        '  networkMode = "host"',
        "  gc = true",
        "  gckeepstorage = 8000000000",
        "[worker.containerd]",
        "  enabled = false",
    ]
    for host in insecure_registries:
        lines += [f'[registry."{host}"]', "  http = true", "  insecure = true"]
    return "\n".join(lines) + "\n"


@contextmanager
def run_buildkitd(root: Path, insecure_registries: Sequence[str]) -> Iterator[Buildkitd]:
    require_buildkit()
    root.mkdir(parents=True, exist_ok=True)
    # A unix socket path must stay under ~100 bytes: keep it in a short private directory.
    run_dir = Path(tempfile.mkdtemp(prefix="kiln-bk-"))
    config = run_dir / "buildkitd.toml"
    config.write_text(daemon_config(insecure_registries))
    address = f"unix://{run_dir}/buildkitd.sock"
    log = root.parent / f"{root.name}-buildkitd.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [
                "buildkitd", "--root", str(root), "--addr", address, "--config", str(config),
                "--otel-socket-path", str(run_dir / "otel.sock"),
                "--oci-worker=true", "--containerd-worker=false",
            ],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    daemon = Buildkitd(address, root, process, log)
    try:
        deadline = time.monotonic() + 60
        while not daemon.answers():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"buildkitd did not start at {address}; see {log}")
            time.sleep(0.2)
        yield daemon
    finally:
        daemon.stop()
        shutil.rmtree(run_dir, ignore_errors=True)
