"""The tables (DESIGN.md §5). Migrations in store/migrations/ must match these."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

DEFAULT_QUOTA_BYTES = 10 * 1024**3


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored and returned in UTC, aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        datetime: UTCDateTime(),
    }


class Workspace(Base):
    __tablename__ = "workspaces"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    quota_bytes: Mapped[int] = mapped_column(BigInteger, default=DEFAULT_QUOTA_BYTES)
    created_at: Mapped[datetime]
    cleanup_lease_until: Mapped[datetime | None]
    retention: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Registry(Base):
    __tablename__ = "registries"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(63))
    kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String(255))
    namespace: Mapped[str] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(255))
    secret_encrypted: Mapped[str | None] = mapped_column(Text)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]


class App(Base):
    __tablename__ = "apps"
    __table_args__ = (UniqueConstraint("workspace_id", "slug"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(63))
    repo_url: Mapped[str] = mapped_column(String(2048))
    branch: Mapped[str | None] = mapped_column(String(255))
    subdirectory: Mapped[str | None] = mapped_column(String(1024))
    overrides: Mapped[dict[str, Any]] = mapped_column(default=dict)
    registry_id: Mapped[int | None] = mapped_column(
        ForeignKey("registries.id", ondelete="SET NULL")
    )
    move_latest: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    pinned_digest: Mapped[str | None] = mapped_column(String(80))
    """The image the app runs (deployed/current): never deleted by a cleanup."""
    webhook_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    build_secrets_encrypted: Mapped[str | None] = mapped_column(Text)
    github_installation_id: Mapped[int | None] = mapped_column(BigInteger)
    """Encrypted JSON {name: value}: mounted into RUN steps, never in a layer or the API."""


class Build(Base):
    __tablename__ = "builds"
    __table_args__ = (
        UniqueConstraint("app_id", "number"),
        Index("ix_builds_app_created", "app_id", "created_at"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    trigger: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str | None] = mapped_column(String(255))
    force: Mapped[bool] = mapped_column(Boolean, default=False)
    retry_of: Mapped[str | None] = mapped_column(String(36))
    commit_sha: Mapped[str | None] = mapped_column(String(64))
    commit_message: Mapped[str | None] = mapped_column(Text)
    commit_author: Mapped[str | None] = mapped_column(String(255))
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    plan_hash: Mapped[str | None] = mapped_column(String(64))
    image_ref: Mapped[str | None] = mapped_column(String(512))
    digest: Mapped[str | None] = mapped_column(String(80))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_summary: Mapped[str | None] = mapped_column(Text)
    error_suggestion: Mapped[str | None] = mapped_column(Text)
    workflow_id: Mapped[str | None] = mapped_column(String(255))
    log_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    log_truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class BuildTransition(Base):
    """Every status change with its time: steps and durations are derived from these."""

    __tablename__ = "build_transitions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    build_id: Mapped[str] = mapped_column(ForeignKey("builds.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]


class BuildLog(Base):
    __tablename__ = "build_logs"
    build_id: Mapped[str] = mapped_column(
        ForeignKey("builds.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    step: Mapped[str | None] = mapped_column(String(16))
    line: Mapped[str] = mapped_column(Text)


class Image(Base):
    __tablename__ = "images"
    __table_args__ = (Index("ix_images_workspace_pushed", "workspace_id", "pushed_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    app_id: Mapped[int | None] = mapped_column(ForeignKey("apps.id", ondelete="SET NULL"))
    build_id: Mapped[str | None] = mapped_column(String(36))
    registry_host: Mapped[str] = mapped_column("registry", String(255))
    repository: Mapped[str] = mapped_column(String(512))
    tag: Mapped[str | None] = mapped_column(String(128))
    digest: Mapped[str] = mapped_column(String(80))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    pushed_at: Mapped[datetime]
    deleting_at: Mapped[datetime | None]
    """Set before the registry delete, so a crash before `deleted_at` is repaired next run."""
    deleted_at: Mapped[datetime | None]


class ImageBlob(Base):
    """A blob (config or layer) of a pushed manifest: usage counts each blob once."""

    __tablename__ = "image_blobs"
    __table_args__ = (UniqueConstraint("registry", "repository", "manifest_digest", "blob_digest"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registry_host: Mapped[str] = mapped_column("registry", String(255))
    repository: Mapped[str] = mapped_column(String(512))
    manifest_digest: Mapped[str] = mapped_column(String(80))
    blob_digest: Mapped[str] = mapped_column(String(80))
    size_bytes: Mapped[int] = mapped_column(BigInteger)


class CleanupRun(Base):
    """The audit record of one cleanup (or dry run)."""

    __tablename__ = "cleanup_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    trigger: Mapped[str] = mapped_column(String(16))
    dry_run: Mapped[bool] = mapped_column(Boolean)
    quota_bytes: Mapped[int] = mapped_column(BigInteger)
    before_bytes: Mapped[int] = mapped_column(BigInteger)
    after_bytes: Mapped[int] = mapped_column(BigInteger)
    removed: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    kept_protected: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class WebhookDelivery(Base):
    """A webhook delivery already handled: GitHub retries and replays are answered, not rebuilt."""

    __tablename__ = "webhook_deliveries"
    delivery_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    event: Mapped[str] = mapped_column(String(50))
    received_at: Mapped[datetime]
    builds: Mapped[list[str]] = mapped_column(JSON)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "workspace_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))


class ApiToken(Base):
    """An API token: only its SHA-256 is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    workspace_id: Mapped[int | None] = mapped_column(Integer)
    """A scoped token acts only in this workspace …"""
    role: Mapped[str | None] = mapped_column(String(16))
    """… and with at most this role (never more than the user's own)."""
