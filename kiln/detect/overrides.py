"""User overrides of detection, in one place: they win over everything detected.

Precedence (documented in the README): overrides given with the build (API/CLI) > the app's
stored overrides > detection. Each override adds an explanation to the plan.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kiln.plan.model import BuildPlan


class Overrides(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str | None = Field(default=None, max_length=32)
    language_version: str | None = Field(default=None, max_length=64)
    install_cmd: str | None = Field(default=None, max_length=4096)
    build_cmd: str | None = Field(default=None, max_length=4096)
    start_cmd: str | None = Field(default=None, max_length=4096)
    dockerfile_path: str | None = Field(default=None, max_length=1024)
    port: int | None = Field(default=None, ge=1, le=65535)

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
        if value is not None and not re.fullmatch(r"[A-Za-z0-9.^~<>=*| _-]+", value):
            raise ValueError("unexpected characters")
        return value

    def merged(self, other: Overrides | None) -> Overrides:
        """These overrides, with `other`'s set fields winning."""
        if other is None:
            return self
        return self.model_copy(update=other.model_dump(exclude_none=True))


def apply_commands(plan: BuildPlan, overrides: Overrides) -> BuildPlan:
    """Replace detected commands and port with the overridden ones."""
    if overrides.install_cmd is not None:
        plan.install = [overrides.install_cmd]
        plan.explain(f"install command from the overrides: {overrides.install_cmd}")
    if overrides.build_cmd is not None:
        plan.build = [overrides.build_cmd]
        plan.explain(f"build command from the overrides: {overrides.build_cmd}")
    if overrides.start_cmd is not None:
        plan.start = overrides.start_cmd
        plan.explain(f"start command from the overrides: {overrides.start_cmd}")
    if overrides.port is not None:
        plan.port = overrides.port
        plan.explain(f"port {overrides.port} from the overrides")
    return plan
