"""A Debian root filesystem as a tarball, made by mmdebstrap from a recipe."""

from __future__ import annotations

import re
from pathlib import Path

from kiln.baseimages.recipes import Recipe
from kiln.engines.process import run_streaming
from kiln.errors import EngineError
from kiln.logs.reporter import LogFn
from kiln.plan.dockerfile import RUNTIME_USER

_UPSTREAM_VERSION = re.compile(r"^(?:\d+:)?(\d+(?:\.\d+)*)")
EXCLUDED_PATHS = (
    "/usr/share/doc/*",
    "/usr/share/man/*",
    "/usr/share/info/*",
    "/usr/share/locale/*",
)


def apt_sources(mirror: str, security_mirror: str, suite: str) -> list[str]:
    return [
        f"deb {mirror} {suite} main",
        f"deb {mirror} {suite}-updates main",
        f"deb {security_mirror} {suite}-security main",
    ]


def upstream_version(debian_version: str) -> str:
    """`2:20.19.2+dfsg-1` → `20.19.2`."""
    match = _UPSTREAM_VERSION.match(debian_version.strip())
    return match.group(1) if match else debian_version.strip()


async def make_rootfs(
    recipe: Recipe, sources: list[str], out_dir: Path, log: LogFn
) -> tuple[Path, str | None]:
    """Build the recipe's root filesystem into `out_dir/rootfs.tar`; return it and the version."""
    tarball = out_dir / "rootfs.tar"
    version_file = out_dir / "version"
    uid, gid = RUNTIME_USER.split(":")
    hooks = [
        f'chroot "$1" groupadd --gid {gid} app',
        f'chroot "$1" useradd --uid {uid} --gid {gid} --create-home --shell /bin/sh app',
    ]
    if recipe.version_package:
        hooks.append(
            f"chroot \"$1\" dpkg-query -W -f='${{Version}}' {recipe.version_package}"
            f" > {version_file}"
        )
    argv = [
        "mmdebstrap",
        "--variant=minbase",
        "--format=tar",
        f"--include={','.join(recipe.packages)}",
        *(f"--dpkgopt=path-exclude={path}" for path in EXCLUDED_PATHS),
        # Man pages are excluded, but update-alternatives (openjdk's postinst) needs man1.
        '--essential-hook=mkdir -p "$1/usr/share/man/man1"',
        *(f"--customize-hook={hook}" for hook in hooks),
        recipe.suite,
        str(tarball),
        *sources,
    ]
    result = await run_streaming(argv, log)
    if result.returncode != 0:
        raise EngineError(
            f"mmdebstrap {recipe.suite} ({', '.join(recipe.packages)}) failed: "
            + (result.tail[-1] if result.tail else f"exit {result.returncode}")
        )
    version = upstream_version(version_file.read_text()) if version_file.exists() else None
    return tarball, version
