"""An app can pin its deployed image: the quota cleanup never deletes that digest.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    with op.batch_alter_table("apps") as batch:
        batch.add_column(sa.Column("pinned_digest", sa.String(80)))


def downgrade() -> None:
    with op.batch_alter_table("apps") as batch:
        batch.drop_column("pinned_digest")
