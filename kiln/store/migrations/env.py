"""Alembic environment: kiln passes the connection in (see store/db.py `upgrade`)."""

from __future__ import annotations

from alembic import context

from kiln.store.tables import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
