"""Quota benchmarks, in one run:

1. cleanup decision time of `plan_cleanup` for 1k / 10k / 100k tracked images (synthetic, seeded),
   against the seed's naive decision (usage = the sum of per-image sizes, no dedup, same
   keep-3-then-2 oldest-first rule and protections), timed in the same process; and what each
   deletes (the naive sum counts a shared base layer once per image, so it deletes too much);
2. manifest deletes per second against a real docker-registry on loopback (`delete_manifest`),
   sequential and with a bounded concurrency of 8.

Prints the tables and writes its section of docs/benchmarks.md. Needs no KILN_DATA_DIR.

    .venv/bin/python bench/quota_bench.py [--repeat 5] [--sizes 1000,10000,100000]
                                          [--deletes 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import json
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import write_section
from kiln.quota.policy import (
    CleanupPlan,
    Policy,
    StoredImage,
    Usage,
    newest_first_by_app,
    plan_cleanup,
)
from kiln.registry.client import RegistryClient
from tests.support.servers import run_registry

T = TypeVar("T")
HEADING = "## Quota: cleanup decisions and registry deletes"
SEED = 4
IMAGES_PER_APP = 20
BASES = 5
DAYS = 90
USAGE_PERCENT = 85
CONCURRENCY = 8
START = datetime(2026, 1, 1, tzinfo=UTC)
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DEFAULT_POLICY = Policy()


# ---------------------------------------------------------------- 1. cleanup decisions


def digest(rng: random.Random) -> str:
    return f"sha256:{rng.getrandbits(256):064x}"


def synthetic_images(count: int) -> list[StoredImage]:
    """`count` images of ~count/20 apps: one of 5 shared ~50 MB bases, a config, 2 to 6 own layers
    (log-uniform, 100 KB to 50 MB), pushed over 90 days; ~5 % tagged `latest`, ~1 % pinned."""
    rng = random.Random(SEED * 1_000_003 + count)
    bases = [(digest(rng), rng.randint(45_000_000, 55_000_000)) for _ in range(BASES)]
    apps = max(1, count // IMAGES_PER_APP)
    low, high = math.log(100_000), math.log(50_000_000)
    images = []
    for index in range(count):
        app = f"app-{rng.randrange(apps):05d}"
        layers = [(digest(rng), int(math.exp(rng.uniform(low, high))))
                  for _ in range(rng.randint(2, 6))]  # fmt: skip
        config = (digest(rng), rng.randint(1_500, 8_000))
        tags = (f"build-{index}", "latest") if rng.random() < 0.05 else (f"build-{index}",)
        images.append(
            StoredImage(
                app=app,
                repository=f"apps/{app}",
                digest=digest(rng),
                tags=tags,
                pushed_at=START + timedelta(seconds=rng.uniform(0, DAYS * 86_400)),
                blobs=(config, rng.choice(bases), *layers),
                pinned=rng.random() < 0.01,
            )
        )
    return images


@dataclass
class NaivePlan:
    before_bytes: int
    after_bytes: int
    removed: list[StoredImage]


def naive_plan(
    images: Sequence[StoredImage], quota_bytes: int, policy: Policy = DEFAULT_POLICY
) -> NaivePlan:
    """The seed's decision: usage is the sum of each image's blob sizes (a base layer shared by
    twenty images counts twenty times) and deleting an image frees its whole size. Same rule as
    `plan_cleanup` otherwise: oldest first, keep 3 per app then 2, same protections."""
    size = {image.key: sum(s for _, s in image.blobs) for image in images}
    used = before = sum(size.values())
    trigger = quota_bytes * policy.trigger_percent / 100
    target = quota_bytes * policy.target_percent / 100
    if used <= trigger:
        return NaivePlan(before, before, [])
    by_app = newest_first_by_app(images)
    remaining = {app: len(app_images) for app, app_images in by_app.items()}
    removed: list[StoredImage] = []
    gone: set[tuple[str, str]] = set()
    for keep in policy.keep_per_app:
        candidates = sorted(
            (image for app_images in by_app.values() for image in app_images[keep:]),
            key=lambda i: i.pushed_at,
        )
        for image in candidates:
            if used <= target:
                break
            if image.key in gone or remaining[image.app] <= 1 or image.pinned:
                continue
            if any(policy.is_protected_tag(tag) for tag in image.tags):
                continue
            used -= size[image.key]
            gone.add(image.key)
            remaining[image.app] -= 1
            removed.append(image)
        if used <= target:
            break
    return NaivePlan(before, used, removed)


def timed(function: Callable[..., T], *args: Any) -> tuple[float, T]:
    gc.collect()
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def median_text(values: list[float], unit: str, digits: int = 1) -> str:
    return (
        f"{statistics.median(values):.{digits}f} {unit} "
        f"({min(values):.{digits}f}–{max(values):.{digits}f})"
    )


def decision_row(count: int, repeat: int) -> str:
    started = time.perf_counter()
    images = synthetic_images(count)
    unique = Usage(images).bytes
    quota = round(unique * 100 / USAGE_PERCENT)
    generated = time.perf_counter() - started
    kiln_times: list[float] = []
    naive_times: list[float] = []
    plan: CleanupPlan | None = None
    naive: NaivePlan | None = None
    for _ in range(repeat):
        elapsed, plan = timed(plan_cleanup, images, quota)
        kiln_times.append(elapsed)
        elapsed, naive = timed(naive_plan, images, quota)
        naive_times.append(elapsed)
    assert plan is not None and naive is not None and plan.triggered
    kiln_keys = {r.image.key for r in plan.removed}
    naive_keys = {image.key for image in naive.removed}
    # What naive's choice really leaves (unique blobs of the images it keeps).
    real = Usage(images)
    for image in naive.removed:
        real.remove(image)
    apps = len({image.app for image in images})
    k_med, n_med = statistics.median(kiln_times), statistics.median(naive_times)
    print(
        f"  {count:>7} images  generated in {generated:.1f}s  kiln {k_med * 1e3:8.1f} ms "
        f"({len(kiln_keys)} deleted, after {100 * plan.after_bytes / quota:.1f}%)  "
        f"naive {n_med * 1e3:8.1f} ms ({len(naive_keys)} deleted, "
        f"real after {100 * real.bytes / quota:.1f}%)  kiln ⊆ naive: {kiln_keys <= naive_keys}",
        flush=True,
    )
    return (
        f"| {count:,} | {apps:,} "
        f"| {100 * unique / quota:.0f} % / {100 * naive.before_bytes / quota:.0f} % "
        f"| {median_text([t * 1e3 for t in kiln_times], 'ms')} "
        f"| {median_text([t * 1e3 for t in naive_times], 'ms')} | {k_med / n_med:.2f}× "
        f"| {count / k_med:,.0f} | {len(kiln_keys):,} vs {len(naive_keys):,} "
        f"| {100 * plan.after_bytes / quota:.1f} % "
        f"| {100 * real.bytes / quota:.1f} % ({100 * naive.after_bytes / quota:.1f} % by its sum) |"
    )


# ---------------------------------------------------------------- 2. registry deletes


@dataclass
class Pushed:
    repository: str
    digests: list[str]
    fallbacks: int
    """Blob uploads the registry did not finish on the monolithic POST (finished with a PUT)."""


async def upload_blob(http: httpx.AsyncClient, repository: str, data: bytes) -> tuple[str, bool]:
    """Monolithic upload (`POST …/uploads/?digest=`); a registry that answers 202 instead of 201
    ignored the body, so the upload is finished with one `PUT <Location>?digest=`."""
    blob = "sha256:" + hashlib.sha256(data).hexdigest()
    headers = {"Content-Type": "application/octet-stream"}
    response = await http.post(
        f"/v2/{repository}/blobs/uploads/", params={"digest": blob}, content=data, headers=headers
    )
    if response.status_code == 201:
        return blob, False
    if response.status_code != 202:
        raise RuntimeError(f"blob upload POST → {response.status_code}: {response.text}")
    location = response.url.join(response.headers["Location"]).copy_merge_params({"digest": blob})
    response = await http.put(location, content=data, headers=headers)
    if response.status_code != 201:
        raise RuntimeError(f"blob upload PUT → {response.status_code}: {response.text}")
    return blob, True


async def push_image(http: httpx.AsyncClient, repository: str, name: str) -> tuple[str, int]:
    layer = f"bench layer {name}\n".encode()
    layer_digest, fell_back_layer = await upload_blob(http, repository, layer)
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "config": {"Labels": {"bench.image": name}},
        "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
    }).encode()  # fmt: skip
    config_digest, fell_back_config = await upload_blob(http, repository, config)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest, "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": layer_digest, "size": len(layer)}],
    }).encode()  # fmt: skip
    response = await http.put(
        f"/v2/{repository}/manifests/{name}",
        content=manifest,
        headers={"Content-Type": OCI_MANIFEST},
    )
    if response.status_code != 201:
        raise RuntimeError(f"manifest PUT → {response.status_code}: {response.text}")
    expected = "sha256:" + hashlib.sha256(manifest).hexdigest()
    if response.headers.get("Docker-Content-Digest") != expected:
        raise RuntimeError(f"the registry reports {response.headers.get('Docker-Content-Digest')}")
    return expected, int(fell_back_layer) + int(fell_back_config)


async def push_images(address: str, repository: str, count: int) -> Pushed:
    """`count` distinct tagged images (the config and layer hold the image's name)."""
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(http: httpx.AsyncClient, index: int) -> tuple[str, int]:
        async with limit:
            return await push_image(http, repository, f"img-{index:04d}")

    async with httpx.AsyncClient(base_url=f"http://{address}", timeout=30) as http:
        results = await asyncio.gather(*(one(http, i) for i in range(count)))
    return Pushed(repository, [d for d, _ in results], sum(f for _, f in results))


async def delete_all(address: str, pushed: Pushed, concurrency: int) -> float:
    """Seconds to delete every pushed manifest with `delete_manifest`, `concurrency` at a time."""
    limit = asyncio.Semaphore(concurrency)
    async with RegistryClient(address, plain_http=True) as client:
        await client.ping()  # an open connection before the clock starts

        async def one(manifest: str) -> bool:
            async with limit:
                return await client.delete_manifest(pushed.repository, manifest)

        started = time.perf_counter()
        if concurrency == 1:
            deleted = [await client.delete_manifest(pushed.repository, d) for d in pushed.digests]
        else:
            deleted = await asyncio.gather(*(one(d) for d in pushed.digests))
        elapsed = time.perf_counter() - started
        if not all(deleted):
            raise RuntimeError(f"{deleted.count(False)} manifests were already gone")
        left = await asyncio.gather(
            *(client.manifest_digest(pushed.repository, d) for d in pushed.digests)
        )
        if any(left):
            raise RuntimeError(f"{sum(1 for d in left if d)} manifests survived their DELETE")
    return elapsed


async def delete_rows(count: int, rounds: int) -> tuple[list[str], str]:
    scratch = Path(tempfile.mkdtemp(prefix="kiln-bench-quota-"))
    rates: dict[int, list[float]] = {1: [], CONCURRENCY: []}
    push_seconds: list[float] = []
    fallbacks = 0
    try:
        with run_registry(scratch / "registry") as registry:
            for round_ in range(rounds):
                for concurrency in rates:
                    repository = f"bench/quota-r{round_}-c{concurrency}"
                    started = time.perf_counter()
                    pushed = await push_images(registry.address, repository, count)
                    push_seconds.append(time.perf_counter() - started)
                    fallbacks += pushed.fallbacks
                    elapsed = await delete_all(registry.address, pushed, concurrency)
                    rates[concurrency].append(count / elapsed)
                    print(
                        f"  round {round_ + 1} concurrency {concurrency}: pushed {count} in "
                        f"{push_seconds[-1]:.1f}s, deleted in {elapsed:.2f}s "
                        f"({count / elapsed:.0f}/s)",
                        flush=True,
                    )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    sequential = statistics.median(rates[1])
    rows = []
    for concurrency, values in rates.items():
        mode = "sequential" if concurrency == 1 else f"concurrency {concurrency} (Semaphore)"
        rows.append(
            f"| {mode} | {count} | {median_text(values, '/s', 0)} "
            f"| {statistics.median(values) / sequential:.2f}× |"
        )
    uploads = "every blob on the monolithic POST" if fallbacks == 0 else (
        f"{fallbacks} of {2 * count * len(push_seconds)} blobs needed a PUT after the POST"
    )  # fmt: skip
    note = (
        f"Setup per round and mode: {count} distinct tagged images (tiny config + tiny layer, "
        f"OCI manifest) pushed by hand through the distribution API into a fresh repository, "
        f"{CONCURRENCY} at a time, median {statistics.median(push_seconds):.1f} s; {uploads}."
    )
    return rows, note


# ---------------------------------------------------------------- main


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--deletes", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    print("cleanup decisions:", flush=True)
    decision = [decision_row(int(n), args.repeat) for n in args.sizes.split(",")]
    print("registry deletes:", flush=True)
    deletes, push_note = await delete_rows(args.deletes, args.rounds)

    registry_version = subprocess.run(
        ["docker-registry", "--version"], capture_output=True, text=True
    ).stdout.split()
    table = "\n".join([
        HEADING,
        "",
        f"Machine: {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"{platform.platform()}; Python {platform.python_version()}.",
        "",
        f"Cleanup decision: `plan_cleanup` (unique-blob usage) against the seed's naive decision "
        f"(usage = sum of per-image sizes, no dedup; same keep-3-then-2 oldest-first rule and "
        f"protections), both in this process, median of {args.repeat} (min–max). Synthetic images "
        f"(seeded): ~{IMAGES_PER_APP} per app, each on one of {BASES} shared ~50 MB base layers "
        f"plus a config and 2–6 own layers (log-uniform 100 KB–50 MB), pushed over {DAYS} days; "
        f"~5 % tagged `latest`, ~1 % pinned. Quota = unique usage ÷ {USAGE_PERCENT} % (trigger "
        f"80 %, target 70 %). Usage = unique blobs / naive sum, as % of the quota. Naive after = "
        f"the real unique usage left by naive's choice (and what its own sum believes).",
        "",
        "| images | apps | usage (unique / naive sum) | kiln decision | naive decision "
        "| time kiln/naive | kiln images/s | images deleted: kiln vs naive | after: kiln "
        "| after: naive |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *decision,
        "",
        f"Registry deletes: `RegistryClient.delete_manifest` by digest against a real "
        f"docker-registry {registry_version[-1] if registry_version else '?'} (filesystem "
        f"storage in a temp dir, deletes enabled), plain HTTP on loopback; median of "
        f"{args.rounds} rounds (min–max). {push_note}",
        "",
        "| mode | manifests | deletes/s | ratio to sequential |",
        "|---|---|---|---|",
        *deletes,
    ]) + "\n"  # fmt: skip
    print("\n" + table)
    write_section(HEADING, table)


if __name__ == "__main__":
    asyncio.run(main())
