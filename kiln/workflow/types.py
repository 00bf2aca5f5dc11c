"""Data crossing the workflow/activity boundary (serialised by Temporal's JSON converter)."""

from __future__ import annotations

from dataclasses import dataclass

TASK_QUEUE = "kiln-builds"


@dataclass(frozen=True)
class BuildInput:
    build_id: str
    build_timeout_seconds: int = 1800


@dataclass(frozen=True)
class SourceOutput:
    commit_sha: str


@dataclass(frozen=True)
class AnalyzeInput:
    build_id: str
    commit_sha: str


@dataclass(frozen=True)
class AnalyzeOutput:
    image_ref: str
    already_built: bool


@dataclass(frozen=True)
class QuotaOutput:
    checked: bool
    removed_images: int
    usage_bytes: int


@dataclass(frozen=True)
class BuildImageInput:
    build_id: str
    commit_sha: str


@dataclass(frozen=True)
class BuildImageOutput:
    digest: str
    size_bytes: int


@dataclass(frozen=True)
class FinishInput:
    build_id: str
    status: str
    """built, failed or cancelled"""
    error_code: str | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class Progress:
    build_id: str
    status: str
    step: str | None
