"""Quota: blobs of each pushed manifest, deletion intents, cleanup audit, a cleanup lease.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "image_blobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("registry", sa.String(255), nullable=False),
        sa.Column("repository", sa.String(512), nullable=False),
        sa.Column("manifest_digest", sa.String(80), nullable=False),
        sa.Column("blob_digest", sa.String(80), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("registry", "repository", "manifest_digest", "blob_digest"),
    )
    op.create_table(
        "cleanup_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "workspace_id", sa.Integer,
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, index=True,
        ),
        sa.Column("at", TS, nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("dry_run", sa.Boolean, nullable=False),
        sa.Column("quota_bytes", sa.BigInteger, nullable=False),
        sa.Column("before_bytes", sa.BigInteger, nullable=False),
        sa.Column("after_bytes", sa.BigInteger, nullable=False),
        sa.Column("removed", sa.JSON, nullable=False),
        sa.Column("kept_protected", sa.JSON, nullable=False),
    )  # fmt: skip
    with op.batch_alter_table("images") as batch:
        batch.add_column(sa.Column("deleting_at", TS))
    with op.batch_alter_table("workspaces") as batch:
        batch.add_column(sa.Column("cleanup_lease_until", TS))


def downgrade() -> None:
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_column("cleanup_lease_until")
    with op.batch_alter_table("images") as batch:
        batch.drop_column("deleting_at")
    op.drop_table("cleanup_runs")
    op.drop_table("image_blobs")
