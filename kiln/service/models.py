"""Inputs of the use cases (validated) and their public outputs (never a secret)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kiln.detect.overrides import Overrides

SLUG = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
_HOST_PORT = re.compile(r"^[a-zA-Z0-9.-]+(?::\d{1,5})?$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WorkspaceCreate(Strict):
    slug: str = Field(pattern=SLUG)
    name: str = Field(min_length=1, max_length=200)


class WorkspacePublic(BaseModel):
    slug: str
    name: str
    quota_bytes: int
    created_at: datetime


class RegistryCreate(Strict):
    name: str = Field(pattern=SLUG)
    kind: Literal["generic", "ghcr", "acr", "managed"]
    url: str = Field(description="host[:port] of the registry", max_length=255)
    namespace: str = Field(default="", max_length=255, pattern=r"^[a-z0-9._/-]*$")
    username: str | None = Field(default=None, max_length=255)
    secret: str | None = Field(default=None, max_length=4096, description="write-only")
    is_default: bool = False

    @field_validator("url")
    @classmethod
    def _host_port(cls, value: str) -> str:
        value = value.removeprefix("https://").removeprefix("http://").rstrip("/")
        if not _HOST_PORT.match(value):
            raise ValueError("must be host[:port], e.g. ghcr.io or 127.0.0.1:5000")
        return value

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        value = value.strip("/")
        if ".." in value or "//" in value:
            raise ValueError("must be a repository path such as my-org/team")
        return value


class RegistryUpdate(Strict):
    """Change a registry config: a field left out is kept, the secret too (unless cleared)."""

    url: str | None = Field(default=None, max_length=255)
    namespace: str | None = Field(default=None, max_length=255, pattern=r"^[a-z0-9._/-]*$")
    username: str | None = Field(default=None, max_length=255)
    secret: str | None = Field(default=None, max_length=4096, description="write-only")
    clear_secret: bool = False
    is_default: bool | None = None

    @field_validator("url")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        return None if value is None else RegistryCreate._host_port(value)

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str | None) -> str | None:
        return None if value is None else RegistryCreate._namespace(value)


class RegistryPublic(BaseModel):
    name: str
    kind: str
    url: str
    namespace: str
    username: str | None
    has_secret: bool
    is_default: bool


class RegistryCheckPublic(BaseModel):
    ok: bool
    message: str


class AppCreate(Strict):
    slug: str = Field(pattern=SLUG)
    repo_url: str = Field(max_length=2048)
    branch: str | None = Field(default=None, max_length=255)
    subdirectory: str | None = Field(default=None, max_length=1024)
    registry: str | None = Field(default=None, description="registry name; default: workspace's")
    overrides: Overrides = Field(default_factory=Overrides)
    move_latest: bool = True
    github_installation_id: int | None = Field(default=None, gt=0)
    webhook_secret: str | None = Field(
        default=None, min_length=16, max_length=256, description="write-only; GitHub's secret"
    )


class AppUpdate(Strict):
    github_installation_id: int | None = Field(default=None, gt=0)
    webhook_secret: str | None = Field(default=None, min_length=16, max_length=256)
    pinned_digest: str | None = Field(
        default=None, pattern=r"^sha256:[a-f0-9]{64}$", description="the deployed image: kept"
    )
    repo_url: str | None = Field(default=None, max_length=2048)
    branch: str | None = Field(default=None, max_length=255)
    subdirectory: str | None = Field(default=None, max_length=1024)
    registry: str | None = None
    overrides: Overrides | None = None
    move_latest: bool | None = None


class AppPublic(BaseModel):
    slug: str
    repo_url: str
    branch: str | None
    subdirectory: str | None
    registry: str | None
    overrides: Overrides
    move_latest: bool
    pinned_digest: str | None
    github_installation_id: int | None
    has_webhook_secret: bool
    created_at: datetime


class BuildTrigger(Strict):
    ref: str | None = Field(default=None, max_length=255)
    force: bool = False


class StepPublic(BaseModel):
    name: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    duration_seconds: float | None


class BuildPublic(BaseModel):
    id: str
    app: str
    workspace: str
    number: int
    status: str
    trigger: str
    ref: str | None
    commit_sha: str | None
    commit_message: str | None
    commit_author: str | None
    image_ref: str | None
    digest: str | None
    size_bytes: int | None
    error_code: str | None
    error_summary: str | None
    error_suggestion: str | None
    retry_of: str | None
    workflow_id: str | None
    log_truncated: bool
    steps: list[StepPublic]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class BuildPage(BaseModel):
    builds: list[BuildPublic]
    next_cursor: str | None


class WorkspaceUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    quota_bytes: int | None = Field(default=None, gt=0, description="registry quota in bytes")


class AppUsagePublic(BaseModel):
    app: str
    used_bytes: int
    images: int


class UsagePublic(BaseModel):
    used_bytes: int
    quota_bytes: int
    percent: float
    apps: list[AppUsagePublic]


class ImagePublic(BaseModel):
    app: str
    repository: str
    tag: str | None
    digest: str
    size_bytes: int
    pushed_at: datetime
    protected: bool


class CleanupRequest(Strict):
    dry_run: bool = False


class CleanedImagePublic(BaseModel):
    app: str
    repository: str
    tags: list[str]
    digest: str
    bytes: int
    reason: str


class CleanupPublic(BaseModel):
    dry_run: bool
    triggered: bool
    quota_bytes: int
    before_bytes: int
    after_bytes: int
    removed: list[CleanedImagePublic]
    kept_protected: list[CleanedImagePublic]


class CleanupRunPublic(BaseModel):
    at: datetime
    trigger: str
    dry_run: bool
    quota_bytes: int
    before_bytes: int
    after_bytes: int
    removed: list[CleanedImagePublic]
    kept_protected: list[CleanedImagePublic]


class WebhookResult(BaseModel):
    event: str
    delivery: str
    duplicate: bool = False
    builds: list[str] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list, description="apps not built, and why")


class SecretsUpdate(Strict):
    secrets: dict[str, str] = Field(description="name → value; replaces all; write-only")

    @field_validator("secrets")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 100:
            raise ValueError("at most 100 secrets")
        for name, secret in value.items():
            if not re.fullmatch(r"[A-Z_][A-Z0-9_]{0,63}", name) or name.startswith("KILN_"):
                raise ValueError(f"invalid secret name {name!r}: use A-Z, 0-9 and _ (not KILN_…)")
            if not secret or len(secret) > 65536:
                raise ValueError(f"secret {name!r} must be 1 to 65536 characters")
        return value


class SecretNames(BaseModel):
    names: list[str]
