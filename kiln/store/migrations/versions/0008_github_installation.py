"""Apps cloned with a GitHub App installation token record the installation id.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    with op.batch_alter_table("apps") as batch:
        batch.add_column(sa.Column("github_installation_id", sa.BigInteger))


def downgrade() -> None:
    with op.batch_alter_table("apps") as batch:
        batch.drop_column("github_installation_id")
