"""Throughput and resources, in one run on this machine:

1. builds per minute with 1 and 2 `kiln worker` processes (the same batch of builds, started at
   once through `kiln serve --no-worker`, Temporal and PostgreSQL); baseline: 1 worker
2. 1, 2 and 4 concurrent builds on one worker: builds per minute and queue wait (created → first
   step) p50/p95; baseline: 1 build
3. peak RSS of `kiln serve` (API + worker; embedded Temporal dev server and SQLite, as a single
   host runs it) idle and during 4 concurrent builds; baseline: idle

Every build is a tiny Dockerfile (the catalog's runtime base + `RUN echo <nonce>`), new each time so
the layer cache never answers. Prints a table and writes docs/benchmarks.md.

    KILN_DATA_DIR=.kiln/data .venv/bin/python bench/throughput_bench.py [--repeat 3] [--batch 6]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import write_section
from kiln.config import Settings
from kiln.plan.bases import load_catalog
from tests.support.cluster import TOKEN, Cluster, release_mounts
from tests.support.postgres import fresh_database, postgres_server
from tests.support.servers import free_port, run_registry
from tests.support.service import git_repo
from tests.support.temporal import temporal_dev_server

DOCKERFILE = "ARG KILN_BASE_RUNTIME\nFROM ${KILN_BASE_RUNTIME}\nRUN echo {nonce} > /nonce\n"
HEADING = "## Throughput and resources: workers, concurrent builds, memory"
IDENTITY = ["-c", "user.name=bench", "-c", "user.email=bench@kiln.dev"]


@dataclass(frozen=True)
class Batch:
    seconds: float
    """first build created → last build finished (server timestamps)"""
    queue_waits: list[float]
    builds: int

    @property
    def per_minute(self) -> float:
        return 60 * self.builds / self.seconds


def stamp(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def version_of(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return "not installed"
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else "?"


def machine() -> str:
    memory = next(
        line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )  # fmt: skip
    return (
        f"Machine: {os.cpu_count()} cores, {int(memory) / 1024**2:.1f} GiB memory; "
        f"{version_of(['buildah', '--version'])}; BuildKit: "
        f"{version_of(['buildkitd', '--version'])}; engine: buildah."
    )


def spread(values: list[float], baseline: float, fmt: str = "{:.1f}") -> str:
    """`median (min-max)` and the same three as ratios against the baseline's median."""
    mid, low, high = statistics.median(values), min(values), max(values)
    return (
        f"{fmt.format(mid)} ({fmt.format(low)}–{fmt.format(high)}) | "
        f"{mid / baseline:.2f}× ({low / baseline:.2f}–{high / baseline:.2f}×)"
    )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Api:
    """Workspace `bench`, its registry, and one app (own git repository) per parallel build."""

    def __init__(self, url: str, work: Path) -> None:
        self.http = httpx.AsyncClient(
            base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
        )
        self.work = work
        self.apps: list[Path] = []

    async def post(self, path: str, body: object) -> dict[str, object]:
        response = await self.http.post(path, json=body)
        if not response.is_success:
            raise SystemExit(f"POST {path}: {response.status_code} {response.text}")
        result: dict[str, object] = response.json()
        return result

    async def setup(self, registry: str, apps: int) -> None:
        await self.post("/workspaces", {"slug": "bench", "name": "Bench"})
        await self.post(
            "/workspaces/bench/registries",
            {"name": "local", "kind": "generic", "url": registry, "is_default": True},
        )
        for index in range(apps):
            source = self.work / f"src-{index}"
            source.mkdir()
            (source / "Dockerfile").write_text(DOCKERFILE.replace("{nonce}", "first"))
            repo = self.work / f"app-{index}"
            git_repo(source, repo)
            self.apps.append(repo)
            await self.post(
                "/workspaces/bench/apps",
                {"slug": f"app-{index}", "repo_url": str(repo), "branch": "main"},
            )

    async def batch(self, size: int) -> Batch:
        """A new commit in `size` apps, all triggered at once; waits until every build ends."""
        for repo in self.apps[:size]:
            (repo / "Dockerfile").write_text(DOCKERFILE.replace("{nonce}", uuid.uuid4().hex))
            subprocess.run(["git", *IDENTITY, "commit", "-qam", "bench"], cwd=repo, check=True)
        started = await asyncio.gather(
            *(self.post(f"/workspaces/bench/apps/app-{i}/builds", {}) for i in range(size))
        )
        records = []
        for build in started:
            while True:
                record = (await self.http.get(f"/builds/{build['id']}")).json()
                if record["status"] in ("built", "failed", "cancelled"):
                    break
                await asyncio.sleep(0.25)
            if record["status"] != "built":
                raise SystemExit(f"build {build['id']} ended {record['status']}: {record}")
            records.append(record)
        first = min(stamp(r["created_at"]) for r in records)
        last = max(stamp(r["finished_at"]) for r in records)
        waits = [stamp(r["started_at"]) - stamp(r["created_at"]) for r in records]
        return Batch(last - first, waits, size)


async def workers_and_concurrency(
    settings: Settings, work: Path, registry: str, repeat: int, batch: int
) -> list[str]:
    with postgres_server() as server, temporal_dev_server(work) as temporal:
        cluster = Cluster(
            root=work / "cluster", catalog=settings.catalog_path,
            database_url=fresh_database(server), temporal_address=temporal,
            task_queue="kiln-bench",
        )  # fmt: skip
        try:
            _, url = cluster.start_api()
            api = Api(url, work)
            await api.setup(registry, max(batch, 4))
            first = cluster.start_worker("worker-1", max_builds=1)
            await cluster.wait_for_workers({"worker-1"})
            await api.batch(1)  # warm: base image pulled, first-start costs paid
            by_workers: dict[int, list[Batch]] = {1: [], 2: []}
            by_concurrency: dict[int, list[Batch]] = {1: [], 2: [], 4: []}
            for rep in range(repeat):
                by_workers[1].append(await api.batch(batch))
                second = cluster.start_worker(f"worker-2-{rep}", max_builds=1)
                await cluster.wait_for_workers({second.name})
                by_workers[2].append(await api.batch(batch))
                second.stop()
                cluster.processes.remove(second)
            first.stop()
            cluster.processes.remove(first)
            wide = cluster.start_worker("worker-wide")  # the default number of build steps
            await cluster.wait_for_workers({wide.name})
            await api.batch(1)  # its own image store: pull the base once
            for _ in range(repeat):
                for size in by_concurrency:
                    by_concurrency[size].append(await api.batch(size))
            await api.http.aclose()
        finally:
            cluster.stop()
    base = statistics.median(b.per_minute for b in by_workers[1])
    rows = [
        "| workers | builds/min, median (min–max) | ratio to 1 worker | queue wait p50 / p95 |",
        "|---|---|---|---|",
    ]
    for count, batches in by_workers.items():
        waits = [w for b in batches for w in b.queue_waits]
        rows.append(
            f"| {count} | {spread([b.per_minute for b in batches], base)} | "
            f"{pct(waits, 0.5):.2f} s / {pct(waits, 0.95):.2f} s |"
        )
    base = statistics.median(b.per_minute for b in by_concurrency[1])
    rows += [
        "",
        "| concurrent builds (one worker) | builds/min, median (min–max) | ratio to 1 build | "
        "batch time, median | queue wait p50 / p95 |",
        "|---|---|---|---|---|",
    ]
    for size, batches in by_concurrency.items():
        waits = [w for b in batches for w in b.queue_waits]
        seconds = statistics.median(b.seconds for b in batches)
        rows.append(
            f"| {size} | {spread([b.per_minute for b in batches], base)} | {seconds:.1f} s | "
            f"{pct(waits, 0.5):.2f} s / {pct(waits, 0.95):.2f} s |"
        )
    return rows


def tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Sampler:
    """Peak RSS of the kiln process alone and of its whole process tree, sampled every 0.2 s."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.own = 0
        self.total = 0

    async def run(self) -> None:
        while True:
            self.own = max(self.own, rss_kib(self.pid))
            self.total = max(self.total, sum(rss_kib(p) for p in tree(self.pid)))
            await asyncio.sleep(0.2)


async def sampled(pid: int, action: asyncio.Future[object] | None, idle: float) -> Sampler:
    sampler = Sampler(pid)
    task = asyncio.create_task(sampler.run())
    if action is None:
        await asyncio.sleep(idle)
    else:
        await action
    task.cancel()
    return sampler


def start_serve(settings: Settings, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    """`kiln serve` as on a single host: embedded Temporal dev server, SQLite."""
    (data_dir / "bases").mkdir(parents=True)
    shutil.copy(settings.catalog_path, data_dir / "bases" / "catalog.json")
    env = {**os.environ, "KILN_DATA_DIR": str(data_dir), "KILN_BOOTSTRAP_TOKEN": TOKEN,
           "KILN_ALLOW_LOCAL_REPOS": "1", "KILN_PORT": str(port),
           "KILN_GRPC_PORT": "0", "KILN_BUILDAH_ROOT": str(data_dir / "containers")}  # fmt: skip
    for name in ("KILN_DATABASE_URL", "KILN_TEMPORAL_ADDRESS"):
        env.pop(name, None)
    with (data_dir / "serve.log").open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "kiln", "serve"], env=env, stdout=log,
                                   stderr=subprocess.STDOUT)  # fmt: skip
    for _ in range(900):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"kiln serve did not start; see {data_dir / 'serve.log'}")


async def memory(settings: Settings, work: Path, registry: str, repeat: int) -> list[str]:
    port = free_port()
    process = start_serve(settings, work / "serve", port)
    try:
        api = Api(f"http://127.0.0.1:{port}", work / "serve-repos")
        api.work.mkdir()
        await api.setup(registry, 4)
        await api.batch(1)  # warm
        idle: list[Sampler] = []
        busy: list[Sampler] = []
        for _ in range(repeat):
            await asyncio.sleep(3)
            idle.append(await sampled(process.pid, None, 10))
            busy.append(await sampled(process.pid, asyncio.ensure_future(api.batch(4)), 0))
        await api.http.aclose()
        hwm = next(
            int(line.split()[1]) for line in Path(f"/proc/{process.pid}/status").read_text()
            .splitlines() if line.startswith("VmHWM:")
        )  # fmt: skip
    finally:
        process.terminate()
        process.wait(30)
    mib = "{:.0f} MiB"
    own_base = statistics.median(s.own / 1024 for s in idle)
    tree_base = statistics.median(s.total / 1024 for s in idle)
    return [
        "| `kiln serve` | peak RSS of the kiln process | ratio to idle | peak RSS of its process "
        "tree (+ Temporal dev server, buildah) | ratio to idle |",
        "|---|---|---|---|---|",
        f"| idle | {spread([s.own / 1024 for s in idle], own_base, mib)} | "
        f"{spread([s.total / 1024 for s in idle], tree_base, mib)} |",
        f"| during 4 concurrent builds | {spread([s.own / 1024 for s in busy], own_base, mib)} | "
        f"{spread([s.total / 1024 for s in busy], tree_base, mib)} |",
        "",
        f"VmHWM of the kiln process over the whole run (start-up included): {hwm / 1024:.0f} MiB.",
    ]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", type=int, default=6, help="builds per batch in the worker test")
    parser.add_argument("--print-only", action="store_true", help="leave docs/benchmarks.md")
    args = parser.parse_args()
    settings = Settings()
    if load_catalog(settings.catalog_path).source == "builtin":
        sys.exit("bench needs bootstrapped base images: run `make demo` first")
    work = Path(tempfile.mkdtemp(prefix="kiln-throughput-bench-"))
    print(machine())
    with run_registry(work / "registry") as registry:
        scale_rows = await workers_and_concurrency(
            settings, work, registry.address, args.repeat, args.batch
        )
        memory_rows = await memory(settings, work, registry.address, args.repeat)
    release_mounts(work)
    shutil.rmtree(work, ignore_errors=True)
    table = "\n".join([
        HEADING, "",
        machine(),
        f"Median of {args.repeat} repetitions (min–max), each also as a ratio against the baseline "
        "measured in the same run. A build is a tiny Dockerfile (runtime base + `RUN echo`), new "
        "each time; its time is mostly buildah start-up, commit and push, so these numbers are "
        "kiln's overhead ceiling, not a language build. Workers: `kiln worker` processes "
        "(KILN_WORKER_MAX_BUILDS=1 each, so the second worker's effect shows) behind `kiln serve "
        f"--no-worker`, Temporal dev server, PostgreSQL, each worker with its own buildah image "
        f"store; {args.batch} builds started at once. Concurrent builds: one worker with the "
        f"default {Settings().worker_max_builds} build steps. All processes share this "
        "machine's cores, so a second worker adds parallel capacity only up to the CPU. Queue "
        "wait = build created → its first step started.", "",
        *scale_rows, "",
        *memory_rows,
    ]) + "\n"  # fmt: skip
    print(table)
    if not args.print_only:
        write_section(HEADING, table)


if __name__ == "__main__":
    asyncio.run(main())
