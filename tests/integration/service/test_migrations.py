"""API and workers all migrate the schema at start: on PostgreSQL they must not race."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from sqlalchemy.engine import make_url

from kiln.store.db import upgrade
from tests.support.postgres import fresh_database

pytestmark = pytest.mark.integration


def test_processes_starting_together_migrate_one_at_a_time(postgres: str) -> None:
    url = fresh_database(postgres)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: upgrade(url), range(4)))
    assert results == [None] * 4
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain) as connection:
        versions = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        tables = connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'builds'"
        ).fetchone()
    assert len(versions) == 1
    assert tables == (1,)
