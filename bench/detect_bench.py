"""Detection time, in one run:

1. `kiln plan` (in-process `detect()`) on a generated monorepo of 100k files — an npm workspace
   with a turborepo config, 200 packages and an installed node_modules — planned at its root and
   for one of its apps, against a walker that lists every file of the tree (what a detector that
   scans the repository pays); target < 200 ms;
2. each example: in-process `detect()` and the `kiln plan --json` command, against the command's
   own start-up (`kiln --help`), timed in the same process.

Prints the tables and writes its section of docs/benchmarks.md. Plans against the builtin
catalog, so it needs no bootstrap.

    .venv/bin/python bench/detect_bench.py [--repeat 5] [--files 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import write_section
from kiln.detect import detect
from kiln.plan.bases import builtin_catalog
from tests.snapshots.plans_of import EXAMPLES, example_names

KILN = ROOT / ".venv" / "bin" / "kiln"
T = TypeVar("T")
PACKAGES = 200


def write_monorepo(root: Path, files: int) -> int:
    """An npm + turborepo workspace of `files` files; returns how many were written."""
    root.mkdir(parents=True)
    (root / "package.json").write_text(
        json.dumps({"name": "mono", "private": True, "workspaces": ["packages/*"]})
    )
    (root / "package-lock.json").write_text(json.dumps({"lockfileVersion": 3, "packages": {}}))
    (root / "turbo.json").write_text(json.dumps({"tasks": {"build": {}}}))
    written = 3
    per_package = (files // 2) // PACKAGES
    for index in range(PACKAGES):
        package = root / "packages" / f"app-{index}"
        (package / "src").mkdir(parents=True)
        manifest = {
            "name": f"app-{index}",
            "scripts": {"start": "node src/index.js"},
            "dependencies": {"express": "^4"},
        }
        (package / "package.json").write_text(json.dumps(manifest))
        for n in range(per_package - 1):
            (package / "src" / f"module{n}.js").write_text("module.exports = 1;\n")
        written += per_package
    modules = root / "node_modules"
    index = 0
    while written < files:
        directory = modules / f"dep-{index // 500}"
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"file{index}.js").write_text("//\n")
        index += 1
        written += 1
    return written


def walk_all(root: Path) -> int:
    count = 0
    for _, _, names in os.walk(root):
        count += len(names)
    return count


def timed(function: Callable[[], T], repeat: int) -> tuple[list[float], T]:
    samples: list[float] = []
    result: T | None = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - started)
    assert result is not None
    return samples, result


def ms(values: list[float]) -> str:
    return (
        f"{statistics.median(values) * 1e3:.1f} ms "
        f"({min(values) * 1e3:.1f}–{max(values) * 1e3:.1f})"
    )


def command(*args: str) -> Callable[[], int]:
    def run() -> int:
        return subprocess.run(
            [str(KILN), *args], capture_output=True, check=True, env={**os.environ, "NO_COLOR": "1"}
        ).returncode

    return run


def monorepo_rows(files: int, repeat: int) -> list[str]:
    catalog = builtin_catalog()
    scratch = Path(tempfile.mkdtemp(prefix="kiln-bench-mono-"))
    try:
        root = scratch / "mono"
        started = time.perf_counter()
        written = write_monorepo(root, files)
        print(f"  wrote {written} files in {time.perf_counter() - started:.1f}s", flush=True)
        walk, counted = timed(lambda: walk_all(root), repeat)
        rows = []
        for label, target in (("root", root), ("one app", root / "packages" / "app-7")):
            plan_times, plan = timed(lambda t=target: detect(t, catalog), repeat)  # type: ignore[misc]
            ratio = statistics.median(plan_times) / statistics.median(walk)
            rows.append(
                f"| monorepo, {label} ({counted} files) | {plan.provider} | {ms(plan_times)} | "
                f"{ms(walk)} | {ratio:.3f}× |"
            )
            print(rows[-1], flush=True)
        return rows
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def example_rows(repeat: int) -> list[str]:
    catalog = builtin_catalog()
    startup, _ = timed(command("--help"), repeat)
    rows = []
    for name in example_names():
        source = EXAMPLES / name
        in_process, plan = timed(lambda s=source: detect(s, catalog), repeat)  # type: ignore[misc]
        cli, _ = timed(command("plan", str(source), "--json"), repeat)
        rows.append(
            f"| {name} | {plan.provider} | {ms(in_process)} | {ms(cli)} | {ms(startup)} | "
            f"{statistics.median(cli) / statistics.median(startup):.2f}× |"
        )
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--files", type=int, default=100_000)
    args = parser.parse_args()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    heading = "## Detection: `kiln plan` time"
    lines = [
        heading,
        "",
        f"Machine: {os.cpu_count()} cores, {memory:.0f} GiB, {platform.platform()}; Python "
        f"{platform.python_version()}. Median of {args.repeat} (min–max), builtin catalog.",
        "",
        f"A generated npm + turborepo monorepo ({PACKAGES} packages, an installed node_modules): "
        "`detect()` in-process against listing every file of the tree (`os.walk`). "
        "Target: < 200 ms.",
        "",
        "| repository | provider | kiln plan | list every file | ratio |",
        "|---|---|---|---|---|",
        *monorepo_rows(args.files, args.repeat),
        "",
        "Each example: `detect()` in-process, and the `kiln plan DIR --json` command against the "
        "command's own start-up (`kiln --help`).",
        "",
        "| example | provider | detect() | kiln plan --json | kiln --help | ratio |",
        "|---|---|---|---|---|---|",
        *example_rows(args.repeat),
    ]
    table = "\n".join(lines) + "\n"
    print("\n" + table)
    write_section(heading, table)


if __name__ == "__main__":
    main()
