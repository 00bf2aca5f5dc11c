"""Per-app build secrets (one encrypted JSON object of name → value).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    with op.batch_alter_table("apps") as batch:
        batch.add_column(sa.Column("build_secrets_encrypted", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("apps") as batch:
        batch.drop_column("build_secrets_encrypted")
