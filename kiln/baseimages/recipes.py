"""What `kiln bases bootstrap` builds: one recipe per (language, version, role)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from kiln.plan.bases import BUSYBOX_SERVE, RUNTIME, STATIC, Role

RECIPE_FORMAT = "3"
"""Bump when the way images are assembled changes, so every recipe key changes with it."""


@dataclass(frozen=True)
class Recipe:
    language: str
    version: str
    role: Role
    suite: str
    packages: tuple[str, ...]
    repository: str
    tag: str
    version_package: str | None = None
    """The Debian package whose version is the image's `full_version`."""
    serve: str | None = None

    def key(self, sources: list[str]) -> str:
        """Content address of the recipe: same inputs, same key, no rebuild."""
        data = json.dumps({"recipe": asdict(self), "sources": sources, "format": RECIPE_FORMAT})
        return hashlib.sha256(data.encode()).hexdigest()


def _language(
    language: str,
    version: str,
    suite: str,
    runtime: tuple[str, ...],
    build_extra: tuple[str, ...],
    version_package: str,
) -> list[Recipe]:
    common = ("ca-certificates",)
    return [
        Recipe(
            language, version, "build", suite, common + runtime + build_extra,
            language, f"{version}-build", version_package,
        ),
        Recipe(
            language, version, "runtime", suite, common + runtime,
            language, version, version_package,
        ),
    ]  # fmt: skip


RECIPES: tuple[Recipe, ...] = (
    Recipe(RUNTIME, "bookworm", "runtime", "bookworm", ("ca-certificates", "tzdata"),
           "runtime", "bookworm"),
    Recipe(STATIC, "bookworm", "runtime", "bookworm", ("busybox",), "static", "bookworm",
           "busybox", BUSYBOX_SERVE),
    *_language("node", "18", "bookworm", ("nodejs",), ("npm", "git"), "nodejs"),
    *_language("node", "20", "trixie", ("nodejs",), ("npm", "git"), "nodejs"),
    *_language("python", "3.11", "bookworm", ("python3",), ("python3-venv",), "python3"),
    *_language("python", "3.13", "trixie", ("python3",), ("python3-venv",), "python3"),
    # gcc + libc6-dev: cgo (a source importing "C") needs a C compiler.
    Recipe("go", "1.24", "build", "trixie",
           ("ca-certificates", "golang-go", "git", "gcc", "libc6-dev"),
           "go", "1.24-build", "golang-1.24-go"),
    # Ruby: one image per line serves both stages (bundler is pure Ruby, no compiler shipped).
    Recipe("ruby", "3.1", "runtime", "bookworm", ("ca-certificates", "ruby", "bundler"),
           "ruby", "3.1", "ruby3.1"),
    Recipe("ruby", "3.3", "runtime", "trixie", ("ca-certificates", "ruby", "bundler"),
           "ruby", "3.3", "ruby3.3"),
    *_language("php", "8.2", "bookworm", ("php-cli",), ("composer",), "php8.2-cli"),
    *_language("php", "8.4", "trixie", ("php-cli",), ("composer",), "php8.4-cli"),
    # Elixir: build only; a mix release carries its own ERTS onto the plain runtime base.
    Recipe("elixir", "1.14", "build", "bookworm", ("ca-certificates", "elixir"),
           "elixir", "1.14-build", "elixir"),
    Recipe("elixir", "1.18", "build", "trixie", ("ca-certificates", "elixir"),
           "elixir", "1.18-build", "elixir"),
    # Binaries built on trixie (Rust, Go with cgo) need trixie's glibc at run time.
    Recipe(RUNTIME, "trixie", "runtime", "trixie", ("ca-certificates", "tzdata"),
           "runtime", "trixie"),
    *_language("java", "17", "bookworm", ("openjdk-17-jre-headless",),
               ("openjdk-17-jdk-headless", "maven"), "openjdk-17-jre-headless"),
    *_language("java", "21", "trixie", ("openjdk-21-jre-headless",),
               ("openjdk-21-jdk-headless", "maven"), "openjdk-21-jre-headless"),
    Recipe("rust", "1.85", "build", "trixie", ("ca-certificates", "rustc", "cargo"),
           "rust", "1.85-build", "rustc"),
    # Same suite as the plain runtime base, so the binaries find the glibc they were linked to.
    Recipe("cpp", "12", "build", "bookworm",
           ("ca-certificates", "g++", "cmake", "meson", "ninja-build", "pkgconf"),
           "cpp", "12-build", "g++"),
)  # fmt: skip
