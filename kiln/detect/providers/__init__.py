"""The providers, in order: order matters, the first match wins.

The repository's own Dockerfile comes first, so a project that says how to build itself is
believed; static sites come last, since many projects carry an index.html somewhere. Deno comes
before Node (a Deno project may carry a package.json); a `start.sh` only counts when no language
manifest does.
"""

from __future__ import annotations

from kiln.detect.provider import Provider
from kiln.detect.providers.cpp import CppProvider
from kiln.detect.providers.deno import DenoProvider
from kiln.detect.providers.dockerfile import DockerfileProvider
from kiln.detect.providers.dotnet import DotnetProvider
from kiln.detect.providers.elixir import ElixirProvider
from kiln.detect.providers.gleam import GleamProvider
from kiln.detect.providers.go import GoProvider
from kiln.detect.providers.java import JavaProvider
from kiln.detect.providers.node import NodeProvider
from kiln.detect.providers.php import PhpProvider
from kiln.detect.providers.python import PythonProvider
from kiln.detect.providers.ruby import RubyProvider
from kiln.detect.providers.rust import RustProvider
from kiln.detect.providers.shell import ShellProvider
from kiln.detect.providers.static import StaticProvider

PROVIDERS: tuple[Provider, ...] = (
    DockerfileProvider(),
    DenoProvider(),
    NodeProvider(),
    PythonProvider(),
    GoProvider(),
    RustProvider(),
    JavaProvider(),
    DotnetProvider(),
    ElixirProvider(),
    GleamProvider(),
    RubyProvider(),
    PhpProvider(),
    CppProvider(),
    ShellProvider(),
    StaticProvider(),
)

LOOKED_FOR = (
    "Dockerfile",
    "deno.json",
    "package.json",
    "requirements.txt / pyproject.toml / setup.py / Pipfile",
    "go.mod / go.work",
    "Cargo.toml",
    "pom.xml / build.gradle(.kts)",
    "*.csproj / *.fsproj / *.vbproj",
    "mix.exs",
    "gleam.toml",
    "Gemfile",
    "composer.json / index.php",
    "CMakeLists.txt / meson.build",
    "start.sh",
    "index.html / Staticfile / public/index.html / dist/index.html",
)


def provider_named(name: str) -> Provider | None:
    return next((p for p in PROVIDERS if p.name == name), None)
