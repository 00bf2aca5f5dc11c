"""buildah vs BuildKit on the same examples, in one run: cold build, warm rebuild, image size.

Both engines build kiln's generated Dockerfile of each example with the extra CA mounted.
Cold = buildah with a fresh image store / BuildKit with a fresh buildkitd (new root dir); both
pull the base images from the loopback registry. Warm = the same store / daemon after appending
a newline to one source file, and pushed. BuildKit's per-app registry cache export is off here
(`cache_tag=""`) so both engines do the same work. Size = compressed bytes in the registry.
Prints a table and writes its section of docs/benchmarks.md.

    .venv/bin/python bench/engine_bench.py [--repeat 3] [--examples node-express,go-http]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.build_bench import (
    DEFAULT_EXAMPLES,
    SOURCE_FILE,
    Sample,
    cold_then_warm,
    measure,
    median_text,
)
from bench.report import write_section
from kiln.config import Settings
from kiln.detect import detect
from kiln.engines.base import BuildRequest
from kiln.engines.buildkit import BuildKitEngine
from kiln.pipeline.build import dockerfile_text, registry_client
from kiln.pipeline.context import stage_context
from kiln.plan.bases import load_catalog
from kiln.plan.dockerfile import CA_SECRET_ID
from kiln.refs import ImageRef
from tests.support.buildkit import run_buildkitd
from tests.support.servers import run_registry

HEADING = "## Engines: buildah vs BuildKit"


async def measure_buildkit(
    settings: Settings, source: Path, dockerfile: str, image: ImageRef, touch: str, bases: str
) -> Sample:
    with tempfile.TemporaryDirectory(prefix="kiln-bench-bk-") as scratch:
        work = Path(scratch)
        context = work / "context"
        stage_context(source, context)
        (work / "Dockerfile").write_text(dockerfile)
        ca = settings.ca_bundle()

        def request(push: bool) -> BuildRequest:
            return BuildRequest(
                context_dir=context, dockerfile=work / "Dockerfile", tags=[image], push=push,
                insecure_registries=frozenset({image.registry, bases}),
                secrets={CA_SECRET_ID: ca} if ca else {},
            )  # fmt: skip

        with run_buildkitd(work / "root", [image.registry, bases]) as daemon:
            engine = BuildKitEngine(daemon.address, cache_tag="")
            cold, warm = await cold_then_warm(engine, request, context / touch)
        async with registry_client(settings, image.registry) as client:
            size = await client.image_size(image.repository, image.reference)
        return Sample(cold, warm, size)


def version(argv: list[str]) -> str:
    return subprocess.run(argv, capture_output=True, text=True).stdout.strip()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--examples", default=",".join(DEFAULT_EXAMPLES))
    parser.add_argument("--no-write", action="store_true", help="print only; no docs update")
    args = parser.parse_args()
    settings = Settings()
    catalog = load_catalog(settings.catalog_path)
    if catalog.source == "builtin":
        sys.exit("bench needs bootstrapped base images: run `make demo` (or kiln bases bootstrap)")
    bases = catalog.runtime_base().pinned.split("/", 1)[0]
    registry_dir = Path(tempfile.mkdtemp(prefix="kiln-bench-registry-"))
    rows: list[str] = []
    with run_registry(registry_dir) as registry:
        for name in args.examples.split(","):
            source = ROOT / "examples" / name
            plan = detect(source, catalog)
            dockerfile = dockerfile_text(settings, source, plan)
            results: dict[str, list[Sample]] = {"buildah": [], "buildkit": []}
            for _ in range(args.repeat):
                for engine in results:
                    image = ImageRef(registry.address, f"bench/{name}", engine)
                    touch = SOURCE_FILE[name]
                    if engine == "buildah":
                        sample = await measure(settings, source, dockerfile, image, touch)
                    else:
                        sample = await measure_buildkit(
                            settings, source, dockerfile, image, touch, bases
                        )
                    results[engine].append(sample)
                    print(
                        f"  {name:<14} {engine:<8} cold {sample.cold:6.1f}s  "
                        f"warm {sample.warm:5.1f}s  {sample.size / 1e6:6.1f} MB",
                        flush=True,
                    )
            ah, kit = results["buildah"], results["buildkit"]
            ratio_cold = statistics.median(s.cold for s in kit) / statistics.median(
                s.cold for s in ah
            )
            ratio_warm = statistics.median(s.warm for s in kit) / statistics.median(
                s.warm for s in ah
            )
            rows.append(
                f"| {name} | {median_text([s.cold for s in ah])} | "
                f"{median_text([s.cold for s in kit])} | {ratio_cold:.2f}× | "
                f"{median_text([s.warm for s in ah])} | {median_text([s.warm for s in kit])} | "
                f"{ratio_warm:.2f}× | {ah[0].size / 1e6:.1f} MB | {kit[0].size / 1e6:.1f} MB | "
                f"{kit[0].size / ah[0].size:.2f}× |"
            )
    shutil.rmtree(registry_dir, ignore_errors=True)
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    header = [
        HEADING,
        "",
        f"Machine: {os.cpu_count()} cores, {memory:.0f} GiB, {platform.platform()}; "
        f"{version(['buildah', '--version'])} (storage driver {settings.buildah_storage_driver}, "
        f"runtime {settings.buildah_runtime}); {version(['buildctl', '--version'])}, buildkitd "
        f"OCI worker on {version(['runc', '--version']).splitlines()[0]}. Median of "
        f"{args.repeat} (min–max). Cold = fresh image store / fresh buildkitd root (base images "
        "pulled from a loopback registry); warm = rebuild after appending a newline to one "
        "source file, pushed. BuildKit's registry cache export is off (same work for both). "
        "Ratio = BuildKit / buildah. Size = compressed bytes in the registry.",
        "",
        "| example | buildah cold | BuildKit cold | ratio | buildah warm | BuildKit warm | ratio "
        "| buildah size | BuildKit size | ratio |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    table = "\n".join(header + rows) + "\n"
    print("\n" + table)
    if not args.no_write:
        write_section(HEADING, table)


if __name__ == "__main__":
    asyncio.run(main())
