"""User overrides of detection, in one place, with one precedence (docs/providers/README.md).

    the API / CLI options  >  KILN_* variables  >  kiln.toml  >  railpack.json  >  detection

Each layer is an `Overrides` with the name of where it came from; `merge` keeps, field by field,
the value of the highest layer that sets it, and `apply_overrides` writes the winners onto the
plan with one sentence each ("start command from kiln.toml: …").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kiln.errors import UserError
from kiln.plan.model import BuildPlan

_DEBIAN_PACKAGE = re.compile(r"^[a-z0-9][a-z0-9+.-]{0,99}$")
MAX_PACKAGES = 100


class Overrides(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str | None = Field(default=None, max_length=32)
    language_version: str | None = Field(default=None, max_length=64)
    install_cmd: str | None = Field(default=None, max_length=4096)
    build_cmd: str | None = Field(default=None, max_length=4096)
    start_cmd: str | None = Field(default=None, max_length=4096)
    dockerfile_path: str | None = Field(default=None, max_length=1024)
    port: int | None = Field(default=None, ge=1, le=65535)
    apt_packages: list[str] | None = Field(
        default=None, max_length=MAX_PACKAGES, description="Debian packages for the runtime image"
    )
    build_apt_packages: list[str] | None = Field(
        default=None, max_length=MAX_PACKAGES, description="Debian packages for the build stage"
    )

    @field_validator("dockerfile_path")
    @classmethod
    def _inside(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = value.split("/")
        if value.startswith("/") or ".." in parts or "\0" in value or not value.strip():
            raise ValueError("must be a path inside the repository, without '..'")
        return value

    @field_validator("provider", "language_version")
    @classmethod
    def _plain(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9.^~<>=*|, _-]+", value):
            raise ValueError("unexpected characters")
        return value

    @field_validator("apt_packages", "build_apt_packages")
    @classmethod
    def _packages(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        for name in value:
            if not _DEBIAN_PACKAGE.fullmatch(name):
                raise ValueError(f"{name!r} is not a Debian package name")
        return value

    def merged(self, other: Overrides | None) -> Overrides:
        """These overrides, with `other`'s set fields winning."""
        if other is None:
            return self
        return self.model_copy(update=other.model_dump(exclude_none=True))


@dataclass(frozen=True)
class OverrideLayer:
    """One source of overrides: `source` is how the plan names it ("kiln.toml")."""

    source: str
    overrides: Overrides


@dataclass
class MergedOverrides:
    """The winning value of each field and the layer it came from."""

    values: Overrides = field(default_factory=Overrides)
    sources: dict[str, str] = field(default_factory=dict)

    def source(self, name: str) -> str:
        return self.sources.get(name, "the overrides")


def merge(layers: Sequence[OverrideLayer]) -> MergedOverrides:
    """Layers from the highest precedence to the lowest: the first layer setting a field wins."""
    chosen: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for layer in layers:
        for name, value in layer.overrides.model_dump(exclude_none=True).items():
            if name not in chosen:
                chosen[name] = value
                sources[name] = layer.source
    return MergedOverrides(Overrides.model_validate(chosen), sources)


ENV_FIELDS = {
    "KILN_PROVIDER": "provider",
    "KILN_LANGUAGE_VERSION": "language_version",
    "KILN_INSTALL_CMD": "install_cmd",
    "KILN_BUILD_CMD": "build_cmd",
    "KILN_START_CMD": "start_cmd",
    "KILN_DOCKERFILE_PATH": "dockerfile_path",
    "KILN_PACKAGES": "apt_packages",
    "KILN_BUILD_PACKAGES": "build_apt_packages",
}
"""Per-build variables (not kiln's own settings; `KILN_PORT` is the server's port, so no port)."""


def overrides_from_env(environ: Mapping[str, str]) -> Overrides:
    """The KILN_* build variables as an override layer; lists are space- or comma-separated."""
    values: dict[str, Any] = {}
    for variable, name in ENV_FIELDS.items():
        text = environ.get(variable, "").strip()
        if not text:
            continue
        values[name] = text.replace(",", " ").split() if name.endswith("packages") else text
    try:
        return Overrides.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_env_name(str(e['loc'][0]))}: {e['msg']}" for e in exc.errors() if e["loc"]
        )
        raise UserError(f"invalid KILN_* build variable: {problems}") from exc


def _env_name(name: str) -> str:
    return next((k for k, v in ENV_FIELDS.items() if v == name), name)


def _apt(packages: list[str]) -> str:
    return (
        "apt-get update && apt-get install -y --no-install-recommends "
        + " ".join(packages)
        + " && rm -rf /var/lib/apt/lists/*"
    )


def apply_overrides(plan: BuildPlan, merged: MergedOverrides) -> BuildPlan:
    """Replace detected commands, port and packages with the winning overrides, explained."""
    values = merged.values
    if values.install_cmd is not None:
        plan.install = [values.install_cmd]
        plan.explain(f"install command from {merged.source('install_cmd')}: {values.install_cmd}")
    if values.build_cmd is not None:
        plan.build = [values.build_cmd]
        plan.explain(f"build command from {merged.source('build_cmd')}: {values.build_cmd}")
    if values.start_cmd is not None:
        plan.start = values.start_cmd
        plan.explain(f"start command from {merged.source('start_cmd')}: {values.start_cmd}")
    if values.port is not None:
        plan.port = values.port
        plan.explain(f"port {values.port} from {merged.source('port')}")
    if values.apt_packages is not None:
        plan.apt_packages = sorted(set(plan.apt_packages) | set(values.apt_packages))
        plan.explain(
            f"runtime Debian packages from {merged.source('apt_packages')}: "
            + " ".join(values.apt_packages)
        )
    if values.build_apt_packages:
        source = merged.source("build_apt_packages")
        if plan.bases is not None and plan.bases.build is not None:
            plan.install.insert(0, _apt(values.build_apt_packages))
            plan.explain(
                f"build-stage Debian packages from {source}: " + " ".join(values.build_apt_packages)
            )
        else:
            plan.explain(f"build-stage Debian packages from {source} ignored: no build stage")
    return plan


def apply_commands(plan: BuildPlan, overrides: Overrides) -> BuildPlan:
    """One layer of overrides applied alone (named "the overrides")."""
    return apply_overrides(plan, merge([OverrideLayer("the overrides", overrides)]))
