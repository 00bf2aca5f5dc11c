"""GitHub webhooks: a secret per app (encrypted), and the deliveries seen (replays are ignored).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    with op.batch_alter_table("apps") as batch:
        batch.add_column(sa.Column("webhook_secret_encrypted", sa.Text))
    op.create_table(
        "webhook_deliveries",
        sa.Column("delivery_id", sa.String(100), primary_key=True),
        sa.Column("event", sa.String(50), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("builds", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("apps") as batch:
        batch.drop_column("webhook_secret_encrypted")
