"""The providers, in order: order matters, the first match wins.

The repository's own Dockerfile comes first, so a project that says how to build itself is
believed; static sites come last, since many projects carry an index.html somewhere.
"""

from __future__ import annotations

from kiln.detect.provider import Provider
from kiln.detect.providers.dockerfile import DockerfileProvider
from kiln.detect.providers.go import GoProvider
from kiln.detect.providers.node import NodeProvider
from kiln.detect.providers.python import PythonProvider
from kiln.detect.providers.static import StaticProvider

PROVIDERS: tuple[Provider, ...] = (
    DockerfileProvider(),
    NodeProvider(),
    PythonProvider(),
    GoProvider(),
    StaticProvider(),
)

LOOKED_FOR = (
    "Dockerfile",
    "package.json",
    "requirements.txt / pyproject.toml / setup.py",
    "go.mod",
    "index.html",
)


def provider_named(name: str) -> Provider | None:
    return next((p for p in PROVIDERS if p.name == name), None)
