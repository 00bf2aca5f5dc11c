"""API tokens may be scoped to one workspace and a maximum role.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("workspace_id", sa.Integer))
        batch.add_column(sa.Column("role", sa.String(16)))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("role")
        batch.drop_column("workspace_id")
