"""The BuildPlan: everything detection decided, with the reason for each decision."""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, ConfigDict, Field


class CacheMount(BaseModel):
    """A package-manager cache kept between builds (`RUN --mount=type=cache`)."""

    model_config = ConfigDict(frozen=True)

    id: str
    target: str


class BaseImages(BaseModel):
    """The images the plan builds on, resolved from the catalog."""

    build: str | None = Field(
        description="image of the build stage (toolchain); None = no build stage"
    )
    runtime: str = Field(description="image of the final, slim runtime stage")


class BuildPlan(BaseModel):
    """What kiln will build; printed by `kiln plan --json`, stored on every build."""

    provider: str
    language: str | None = None
    language_version: str | None = None
    package_manager: str | None = None
    framework: str | None = None
    install: list[str] = Field(default_factory=list)
    build: list[str] = Field(default_factory=list)
    start: str | None = None
    port: int | None = None
    caches: list[CacheMount] = Field(default_factory=list)
    apt_packages: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict, description="set in every stage")
    runtime_env: dict[str, str] = Field(default_factory=dict, description="runtime stage only")
    secrets: list[str] = Field(
        default_factory=list, description="build secrets (names) mounted into every RUN step"
    )
    detected_files: list[str] = Field(default_factory=list)
    explanations: list[str] = Field(default_factory=list)
    # How the Dockerfile is laid out:
    install_files: list[str] = Field(
        default_factory=list,
        description="files copied before install, so deps cache apart; nested paths keep theirs",
    )
    prune: list[str] = Field(
        default_factory=list, description="run after build, e.g. drop dev deps"
    )
    artifacts: list[str] = Field(
        default_factory=lambda: ["/app"],
        description="paths copied from the build stage; `SRC:DEST` copies SRC to DEST",
    )
    bases: BaseImages | None = None
    context: str = Field(
        default=".",
        description="the build context relative to the app's directory: '../..' when the app is "
        "a workspace member built from its workspace root",
    )
    dockerfile: str | None = Field(
        default=None, description="the repository's own Dockerfile (dockerfile provider only)"
    )

    def explain(self, sentence: str) -> None:
        self.explanations.append(sentence)

    def fingerprint(self) -> str:
        """A stable hash of the plan, for cache keys and idempotent workflow ids."""
        data = self.model_dump_json(exclude={"explanations"}).encode()
        return hashlib.sha256(data).hexdigest()
