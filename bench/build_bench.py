"""Cold build, warm rebuild (source-only change) and image size of each example:
kiln's generated Dockerfile against a naive single-stage Dockerfile, built in the same run; and
kiln's warm rebuild against the physical floor: the app's own install and build commands run
directly on the host, with warm package caches, after the same source change.

Cold = a fresh buildah image store and cache-mount directory; warm = the same store after one
source file changed. Prints a table and writes docs/benchmarks.md.

    .venv/bin/python bench/build_bench.py [--repeat 3] [--examples node-express,go-http]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import write_section
from kiln.config import Settings
from kiln.detect import detect
from kiln.engines.base import BuildRequest, Engine
from kiln.engines.buildah import BuildahEngine
from kiln.logs.reporter import Reporter
from kiln.pipeline.build import dockerfile_text, registry_client
from kiln.pipeline.context import stage_context
from kiln.plan.bases import load_catalog
from kiln.plan.dockerfile import CA_SECRET_ID, CA_TARGET, CA_VARIABLES
from kiln.plan.model import BuildPlan
from kiln.refs import ImageRef
from tests.support.servers import run_registry

DEFAULT_EXAMPLES = ("node-express", "python-flask", "go-http", "static-site")
SOURCE_FILE = {"node-express": "server.js", "python-flask": "app.py", "go-http": "main.go",
               "static-site": "index.html"}  # fmt: skip


def naive_dockerfile(plan: BuildPlan) -> str:
    """What a person writes first: one stage, `COPY . .`, install, build, run."""
    assert plan.bases is not None and plan.start is not None
    base = plan.bases.build or plan.bases.runtime
    exports = " ".join(f"{v}={CA_TARGET}" for v in CA_VARIABLES)
    lines = [f"FROM {base}", "WORKDIR /app", "COPY . ."]
    env = {k: v for k, v in plan.env.items() if k != "PATH"}
    lines += [f"ENV {k}={v}" for k, v in env.items()]
    commands = [*plan.install, *plan.build]
    if commands:
        lines.append(
            f"RUN --mount=type=secret,id={CA_SECRET_ID},target={CA_TARGET} "
            f"export {exports} && " + " && ".join(commands)
        )
    path = ":".join(p for p in ("/opt/venv/bin", "/app/node_modules/.bin") if p) + ":$PATH"
    lines += [f"ENV PORT={plan.port} PATH={path}", f'CMD ["/bin/sh", "-c", "{plan.start}"]']
    return "\n".join(lines) + "\n"


def host_commands(plan: BuildPlan, scratch: Path) -> list[str]:
    """The plan's install + build commands with the image's paths moved under `scratch`."""
    moves = {"/opt/venv": f"{scratch}/venv", "/out/": f"{scratch}/out/", "/app/": f"{scratch}/app/"}
    commands = []
    for command in [*plan.install, *plan.build]:
        for old, new in moves.items():
            command = command.replace(old, new)
        commands.append(command)
    return commands


def host_floor(source: Path, plan: BuildPlan, touch: str) -> float:
    """Seconds to re-run the app's own commands on the host after a source-only change.

    The commands run once first (warm package caches, like the engine's cache mounts); a stack
    with no commands is timed copying its sources, the least any rebuild does.
    """
    with tempfile.TemporaryDirectory(prefix="kiln-bench-host-") as scratch:
        work = Path(scratch)
        app = work / "app"
        shutil.copytree(source, app)
        (work / "out").mkdir()
        script = " && ".join(host_commands(plan, work)) or f"cp -r {app} {work}/copy"
        subprocess.run(["sh", "-c", script], cwd=app, check=True, capture_output=True)
        changed = app / touch
        changed.write_text(changed.read_text() + "\n")
        subprocess.run(["rm", "-rf", f"{work}/copy"], check=True)
        started = time.perf_counter()
        subprocess.run(["sh", "-c", script], cwd=app, check=True, capture_output=True)
        return time.perf_counter() - started


@dataclass
class Sample:
    cold: float
    warm: float
    size: int


async def cold_then_warm(
    engine: Engine, request: Callable[[bool], BuildRequest], changed: Path
) -> tuple[float, float]:
    """Seconds of a first build (not pushed), then of a rebuild after `changed` gained a newline
    (pushed)."""
    lines: list[str] = []
    started = time.perf_counter()
    await engine.build(request(False), Reporter(lines.append))
    cold = time.perf_counter() - started
    changed.write_text(changed.read_text() + "\n")
    started = time.perf_counter()
    await engine.build(request(True), Reporter(lines.append))
    return cold, time.perf_counter() - started


async def measure(
    settings: Settings, source: Path, dockerfile: str, image: ImageRef, touch: str
) -> Sample:
    with tempfile.TemporaryDirectory(prefix="kiln-bench-") as scratch:
        work = Path(scratch)
        os.environ["TMPDIR"] = str(work / "tmp")  # buildah keeps cache mounts under TMPDIR
        (work / "tmp").mkdir()
        engine = BuildahEngine(
            storage_driver=settings.buildah_storage_driver, runtime=settings.buildah_runtime,
            network=settings.build_network, storage_root=work / "storage",
        )  # fmt: skip
        context = work / "context"
        stage_context(source, context)
        (work / "Dockerfile").write_text(dockerfile)
        ca = settings.ca_bundle()
        registry = image.registry

        def request(push: bool) -> BuildRequest:
            return BuildRequest(
                context_dir=context, dockerfile=work / "Dockerfile", tags=[image], push=push,
                insecure_registries=frozenset({registry}),
                secrets={CA_SECRET_ID: ca} if ca else {},
            )  # fmt: skip

        cold, warm = await cold_then_warm(engine, request, context / touch)
        async with registry_client(settings, registry) as client:
            size = await client.image_size(image.repository, image.reference)
        subprocess.run(["rm", "-rf", str(work / "storage")], check=False)
        os.environ.pop("TMPDIR")
        return Sample(cold, warm, size)


TARGET = 1.5


def median_text(values: list[float], unit: str = "s") -> str:
    return f"{statistics.median(values):.1f}{unit} ({min(values):.1f}–{max(values):.1f})"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--examples", default=",".join(DEFAULT_EXAMPLES))
    args = parser.parse_args()
    settings = Settings()
    catalog = load_catalog(settings.catalog_path)
    if catalog.source == "builtin":
        sys.exit("bench needs bootstrapped base images: run `make demo` (or kiln bases bootstrap)")
    registry_dir = Path(tempfile.mkdtemp(prefix="kiln-bench-registry-"))
    rows: list[str] = []
    floor_rows: list[str] = []
    with run_registry(registry_dir) as registry:
        for name in args.examples.split(","):
            source = ROOT / "examples" / name
            plan = detect(source, catalog)
            variants = {
                "kiln": dockerfile_text(settings, source, plan),
                "naive": naive_dockerfile(plan),
            }
            results: dict[str, list[Sample]] = {k: [] for k in variants}
            floors: list[float] = []
            for _ in range(args.repeat):
                floors.append(host_floor(source, plan, SOURCE_FILE[name]))
                for variant, text in variants.items():
                    image = ImageRef(registry.address, f"bench/{name}", variant)
                    sample = await measure(settings, source, text, image, SOURCE_FILE[name])
                    results[variant].append(sample)
                    print(
                        f"  {name:<14} {variant:<6} cold {sample.cold:6.1f}s  "
                        f"warm {sample.warm:5.1f}s  {sample.size / 1e6:6.1f} MB",
                        flush=True,
                    )
            kiln, naive = results["kiln"], results["naive"]
            k_cold = statistics.median(s.cold for s in kiln)
            n_cold = statistics.median(s.cold for s in naive)
            k_warm = statistics.median(s.warm for s in kiln)
            n_warm = statistics.median(s.warm for s in naive)
            k_size, n_size = kiln[0].size, naive[0].size
            floor = statistics.median(floors)
            floor_rows.append(
                f"| {name} | {median_text([s.warm for s in kiln])} | "
                f"{floor:.2f}s ({min(floors):.2f}–{max(floors):.2f}) | "
                f"{k_warm / floor:.1f}× | {'yes' if k_warm / floor <= TARGET else 'no'} |"
            )
            rows.append(
                f"| {name} | {median_text([s.cold for s in kiln])} | "
                f"{median_text([s.cold for s in naive])} | {k_cold / n_cold:.2f}× | "
                f"{median_text([s.warm for s in kiln])} | {median_text([s.warm for s in naive])} | "
                f"{k_warm / n_warm:.2f}× | {k_size / 1e6:.1f} MB | {n_size / 1e6:.1f} MB | "
                f"{k_size / n_size:.2f}× |"
            )
    shutil.rmtree(registry_dir, ignore_errors=True)
    buildah = subprocess.run(["buildah", "--version"], capture_output=True, text=True).stdout
    header = [
        "## Build: kiln's Dockerfile vs a naive single-stage Dockerfile",
        "",
        f"Machine: {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"{platform.platform()}; {buildah.strip()}, storage driver "
        f"{settings.buildah_storage_driver}. Median of {args.repeat} (min–max). Cold = fresh image "
        "store and cache mounts (base images pulled from a loopback registry); warm = rebuild "
        "after appending a newline to one source file. Size = compressed bytes in the registry.",
        "",
        "| example | kiln cold | naive cold | ratio | kiln warm | naive warm | ratio | "
        "kiln size | naive size | ratio |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    table = "\n".join(header + rows) + "\n"
    print("\n" + table)
    write_section("## Build: kiln's Dockerfile vs a naive single-stage Dockerfile", table)
    floor_heading = "## Build: warm rebuild against the host floor"
    floor_table = "\n".join(
        [
            floor_heading,
            "",
            "kiln's warm rebuild (above: layer cache + cache mounts, pushed) against the app's own "
            "install and build commands run directly on the host with warm package caches, after "
            "the same one-line source change (a stack without commands: copying its sources). "
            f"Median of {args.repeat} (min–max). Target: ≤ {TARGET}×.",
            "",
            "| example | kiln warm | host floor | ratio | within target |",
            "|---|---|---|---|---|",
            *floor_rows,
        ]
    )
    print("\n" + floor_table)
    write_section(floor_heading, floor_table + "\n")


if __name__ == "__main__":
    asyncio.run(main())
