"""The first schema: workspaces, registries, apps, builds, transitions, logs, images.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(63), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("quota_bytes", sa.BigInteger, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "registries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "workspace_id", sa.Integer,
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False,
        ),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("url", sa.String(255), nullable=False),
        sa.Column("namespace", sa.String(255), nullable=False),
        sa.Column("username", sa.String(255)),
        sa.Column("secret_encrypted", sa.Text),
        sa.Column("is_default", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("workspace_id", "name"),
    )  # fmt: skip
    op.create_table(
        "apps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "workspace_id", sa.Integer,
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False,
        ),
        sa.Column("slug", sa.String(63), nullable=False),
        sa.Column("repo_url", sa.String(2048), nullable=False),
        sa.Column("branch", sa.String(255)),
        sa.Column("subdirectory", sa.String(1024)),
        sa.Column("overrides", sa.JSON, nullable=False),
        sa.Column("registry_id", sa.Integer, sa.ForeignKey("registries.id", ondelete="SET NULL")),
        sa.Column("move_latest", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("workspace_id", "slug"),
    )  # fmt: skip
    op.create_table(
        "builds",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "app_id", sa.Integer, sa.ForeignKey("apps.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(255)),
        sa.Column("force", sa.Boolean, nullable=False),
        sa.Column("retry_of", sa.String(36)),
        sa.Column("commit_sha", sa.String(64)),
        sa.Column("commit_message", sa.Text),
        sa.Column("commit_author", sa.String(255)),
        sa.Column("plan", sa.JSON),
        sa.Column("plan_hash", sa.String(64)),
        sa.Column("image_ref", sa.String(512)),
        sa.Column("digest", sa.String(80)),
        sa.Column("size_bytes", sa.BigInteger),
        sa.Column("error_code", sa.String(40)),
        sa.Column("error_summary", sa.Text),
        sa.Column("error_suggestion", sa.Text),
        sa.Column("workflow_id", sa.String(255)),
        sa.Column("log_bytes", sa.BigInteger, nullable=False),
        sa.Column("log_truncated", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("started_at", TS),
        sa.Column("finished_at", TS),
        sa.UniqueConstraint("app_id", "number"),
    )
    op.create_index("ix_builds_app_created", "builds", ["app_id", "created_at"])
    op.create_table(
        "build_transitions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "build_id", sa.String(36),
            sa.ForeignKey("builds.id", ondelete="CASCADE"), nullable=False, index=True,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", TS, nullable=False),
    )  # fmt: skip
    op.create_table(
        "build_logs",
        sa.Column(
            "build_id", sa.String(36),
            sa.ForeignKey("builds.id", ondelete="CASCADE"), primary_key=True,
        ),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("step", sa.String(16)),
        sa.Column("line", sa.Text, nullable=False),
    )  # fmt: skip
    op.create_table(
        "images",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "workspace_id", sa.Integer,
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False,
        ),
        sa.Column("app_id", sa.Integer, sa.ForeignKey("apps.id", ondelete="SET NULL")),
        sa.Column("build_id", sa.String(36)),
        sa.Column("registry", sa.String(255), nullable=False),
        sa.Column("repository", sa.String(512), nullable=False),
        sa.Column("tag", sa.String(128)),
        sa.Column("digest", sa.String(80), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("pushed_at", TS, nullable=False),
        sa.Column("deleted_at", TS),
    )  # fmt: skip
    op.create_index("ix_images_workspace_pushed", "images", ["workspace_id", "pushed_at"])


def downgrade() -> None:
    for table in ("images", "build_logs", "build_transitions", "builds", "apps", "registries"):
        op.drop_table(table)
    op.drop_table("workspaces")
