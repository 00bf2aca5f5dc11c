"""The Engine protocol: build a Dockerfile into an image, optionally push it, stream the log."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from kiln.logs.reporter import Reporter
from kiln.refs import ImageRef


@dataclass(frozen=True)
class BuildRequest:
    context_dir: Path
    dockerfile: Path
    tags: list[ImageRef]
    """The first tag is the image's name; every tag is pushed when `push` is set."""
    push: bool = False
    insecure_registries: frozenset[str] = frozenset()
    """Registries (host[:port]) reached over plain HTTP / without TLS verification."""
    build_args: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    credentials: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Registry host → (username, password); handed to the engine in a private auth file."""
    secrets: dict[str, Path] = field(default_factory=dict)
    """Build secrets by id (`RUN --mount=type=secret,id=…`), files on the host."""
    cache_namespace: str | None = None
    """Whose cache mounts these are (the workspace); engines that share cache mounts across
    builds (BuildKit) keep namespaces apart. None: the first tag's repository (one app)."""
    affinity_key: str | None = None
    """Builds with the same key prefer the same daemon of a pool (the app); None: first tag."""


@dataclass(frozen=True)
class BuildResult:
    image_id: str
    digest: str | None
    """The manifest digest the push produced (None when not pushed)."""


class Engine(Protocol):
    name: str

    async def build(self, request: BuildRequest, report: Reporter) -> BuildResult:
        """Build (and push) the image; log lines go to `report.log`, and `report.step("push")`
        marks the start of the push."""
        ...
