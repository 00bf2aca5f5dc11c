"""Garbage collection of kiln's managed registry (Debian's `docker-registry garbage-collect`).

Deleting a manifest only unlinks it; the blobs stay on disk until the registry's garbage
collector runs. It must run while the registry accepts no pushes (stopped, or in read-only
mode), so kiln runs it on demand (`kiln registry gc`) in a window the operator chooses, and
reports the bytes actually freed on disk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from kiln.engines.process import run_streaming
from kiln.errors import EngineError, UserError
from kiln.logs.reporter import LogFn


@dataclass(frozen=True)
class GcReport:
    before_bytes: int
    after_bytes: int
    dry_run: bool

    @property
    def freed_bytes(self) -> int:
        return self.before_bytes - self.after_bytes


def storage_root(config: Path) -> Path:
    """The filesystem root directory a registry config stores its data in."""
    try:
        data = yaml.safe_load(config.read_text())
        return Path(data["storage"]["filesystem"]["rootdirectory"])
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise UserError(
            f"{config}: not a docker-registry config with filesystem storage ({exc})"
        ) from exc


def disk_bytes(root: Path) -> int:
    total = 0
    for directory, _, files in os.walk(root):
        for name in files:
            path = Path(directory) / name
            if not path.is_symlink():
                total += path.stat().st_size
    return total


async def garbage_collect(config: Path, log: LogFn, *, dry_run: bool = False) -> GcReport:
    root = storage_root(config)
    before = disk_bytes(root)
    argv = ["docker-registry", "garbage-collect", "--delete-untagged", str(config)]
    if dry_run:
        argv.append("--dry-run")
    result = await run_streaming(argv, log)
    if result.returncode != 0:
        raise EngineError(f"registry garbage-collect failed: {' / '.join(result.tail[-2:])}")
    return GcReport(before, disk_bytes(root), dry_run)
