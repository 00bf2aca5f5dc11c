"""Persistence: SQLAlchemy 2 tables, Alembic migrations, and one module of queries per concept."""
