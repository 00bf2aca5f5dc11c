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
    Recipe("go", "1.24", "build", "trixie", ("ca-certificates", "golang-go", "git"),
           "go", "1.24-build", "golang-1.24-go"),
)  # fmt: skip
