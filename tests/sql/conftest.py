"""PostgreSQL fixtures: one throw-away schema per test session, truncated between tests."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, text

from waffo_portal.stores.sql import SqlStore, build_engine, migrate
from waffo_portal.stores.sql.schema import metadata

POSTGRES_URL = os.environ.get("WAFFO_TEST_POSTGRES_URL")


def schema_engine(url: str, schema: str, **kwargs: object) -> Engine:
    """An engine whose connections see only ``schema`` (via search_path)."""
    return build_engine(url, connect_args={"options": f"-csearch_path={schema}"}, **kwargs)


@contextmanager
def temporary_schema(prefix: str) -> Iterator[str]:
    """A new empty PostgreSQL schema, dropped (with everything in it) on exit."""
    if not POSTGRES_URL:
        pytest.skip("WAFFO_TEST_POSTGRES_URL is not set")
    schema = f"{prefix}_{secrets.token_hex(4)}"
    admin = build_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    """A fresh, migrated schema for this test session."""
    with temporary_schema("waffo_test") as schema:
        assert POSTGRES_URL
        engine = schema_engine(POSTGRES_URL, schema)
        migrate(engine)
        engine.dispose()
        yield schema


@pytest.fixture(scope="session")
def pg_engine(pg_schema: str) -> Iterator[Engine]:
    assert POSTGRES_URL
    engine = schema_engine(POSTGRES_URL, pg_schema, pool_size=30, max_overflow=10)
    yield engine
    engine.dispose()


@pytest.fixture
def worker_engines(pg_schema: str) -> Iterator[Callable[[], Engine]]:
    """Make extra engines (own pools and connections), as separate worker processes have."""
    made: list[Engine] = []

    def make() -> Engine:
        assert POSTGRES_URL
        made.append(schema_engine(POSTGRES_URL, pg_schema, pool_size=2))
        return made[-1]

    yield make
    for engine in made:
        engine.dispose()


@pytest.fixture
def pg_store(pg_engine: Engine) -> SqlStore:
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with pg_engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY"))
    return SqlStore(pg_engine)
