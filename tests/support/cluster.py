"""A scaled-out kiln on one machine: `kiln serve --no-worker` and `kiln worker` subprocesses, each
with its own data directory (as if on its own host), sharing one PostgreSQL and one Temporal."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

from kiln.workflow.devserver import connect
from tests.support.servers import free_port

TOKEN = "kiln-cluster-token"


@dataclass
class KilnProcess:
    name: str
    process: subprocess.Popen[bytes]
    data_dir: Path

    @property
    def log(self) -> Path:
        return self.data_dir / f"{self.name}.log"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@dataclass
class Cluster:
    """Shared settings of every process; `root` holds one data directory per process."""

    root: Path
    catalog: Path
    database_url: str
    temporal_address: str
    task_queue: str
    processes: list[KilnProcess] = field(default_factory=list)

    def _start(self, name: str, argv: list[str], extra: dict[str, str]) -> KilnProcess:
        data_dir = self.root / name
        (data_dir / "bases").mkdir(parents=True, exist_ok=True)
        shutil.copy(self.catalog, data_dir / "bases" / "catalog.json")
        env = {
            **os.environ, "KILN_DATA_DIR": str(data_dir), "KILN_DATABASE_URL": self.database_url,
            "KILN_TEMPORAL_ADDRESS": self.temporal_address, "KILN_TASK_QUEUE": self.task_queue,
            "KILN_SECRET_KEY": "kiln-cluster-secret-key", "KILN_BOOTSTRAP_TOKEN": TOKEN,
            "KILN_ALLOW_LOCAL_REPOS": "1", "KILN_GRPC_PORT": "0", **extra,
        }  # fmt: skip
        with (data_dir / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "kiln", *argv], env=env, stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        started = KilnProcess(name, process, data_dir)
        self.processes.append(started)
        return started

    def start_api(self, name: str = "api") -> tuple[KilnProcess, str]:
        """`kiln serve --no-worker`; returns it and its URL once /healthz answers."""
        port = free_port()
        api = self._start(name, ["serve", "--no-worker"], {"KILN_PORT": str(port)})
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if api.process.poll() is not None:
                raise RuntimeError(f"kiln serve exited; see {api.log}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    return api, url
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError(f"kiln serve did not become healthy; see {api.log}")

    def start_worker(self, name: str, max_builds: int | None = None) -> KilnProcess:
        # Its own image store too, as on its own host (and no lock shared with other builds here).
        extra = {
            "KILN_WORKER_NAME": name,
            "KILN_BUILDAH_ROOT": str(self.root / name / "containers"),
        }
        if max_builds is not None:
            extra["KILN_WORKER_MAX_BUILDS"] = str(max_builds)
        return self._start(name, ["worker"], extra)

    async def wait_for_workers(self, names: set[str], limit_seconds: float = 90) -> None:
        """Until Temporal lists every named worker as a poller of the activity queue."""
        client = await connect(self.temporal_address, "default")
        request = DescribeTaskQueueRequest(
            namespace="default",
            task_queue=TaskQueue(name=self.task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit_seconds
        while True:
            response = await client.workflow_service.describe_task_queue(request)
            if names <= {poller.identity for poller in response.pollers}:
                return
            dead = [p.name for p in self.processes if p.process.poll() is not None]
            if dead or loop.time() > deadline:
                raise RuntimeError(f"workers {sorted(names)} not polling (exited: {dead})")
            await asyncio.sleep(0.3)

    def stop(self) -> None:
        for started in reversed(self.processes):
            started.stop()
        self.processes.clear()
        self.release_stores()

    def release_stores(self) -> None:
        release_mounts(self.root)
        for store in self.root.glob("*/containers"):
            shutil.rmtree(store, ignore_errors=True)


def release_mounts(root: Path) -> None:
    """buildah (and a worker killed mid-build) leaves overlay mounts in a private image store,
    which would make removing it fail ("device busy"): detach them, deepest first."""
    prefix = f"{root.resolve()}/"
    mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
    for target in sorted((m for m in mounts if m.startswith(prefix)), reverse=True):
        subprocess.run(["umount", "-l", target], capture_output=True, check=False)
