"""Schema versioning: the shipped migrations build what the code expects, in place."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from waffo_portal import Buyer
from waffo_portal.stores.sql import SqlStore, build_engine, migrate
from waffo_portal.stores.sql.migrate import VERSION_TABLE, current_revision
from waffo_portal.stores.sql.schema import metadata

from .conftest import POSTGRES_URL, schema_engine, temporary_schema


def _schema_drift(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return list(compare_metadata(context, metadata))


def _upgrade_in_place(engine: Engine) -> None:
    migrate(engine, "0001")
    assert current_revision(engine) == "0001"
    store = SqlStore(engine)
    store.save_buyer(Buyer("b1", "ada@example.com"))
    with engine.begin() as conn:  # a plan stored before plans could be hidden
        conn.execute(text("INSERT INTO waffo_plans VALUES "
                          "('p1', 'Pro', 'g', 900, 'EUR', 'monthly', 0)"))
    migrate(engine)  # 0001 -> head: adds the partial due-queue index in place
    assert "waffo_subscriptions_due_order" in {
        index["name"] for index in inspect(engine).get_indexes("waffo_subscriptions")}
    migrate(engine)  # and again: a no-op
    assert current_revision(engine) == "0007"  # head today; bump with each new revision
    assert store.get_buyer("b1") == Buyer("b1", "ada@example.com")
    old_plan = store.get_plan("p1")
    assert old_plan is not None and old_plan.selectable  # 0003: existing plans stay offered
    assert store.claim_revisions("plan", {"p1": 1}) == {"p1"}
    assert _schema_drift(engine) == []


def test_sqlite_migrates_in_place_idempotently_and_matches_the_tables(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'portal.db'}")
    assert current_revision(engine) is None
    _upgrade_in_place(engine)
    engine.dispose()


def test_from_url_with_migrate_creates_the_embedded_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    store = SqlStore.from_url(url, migrate=True)
    store.save_buyer(Buyer("b1", "a@example.com"))
    assert SqlStore.from_url(url, migrate=True).get_buyer("b1") is not None


@pytest.mark.postgres
def test_postgres_migrates_in_place_idempotently_and_matches_the_tables() -> None:
    with temporary_schema("waffo_migrations") as schema:
        assert POSTGRES_URL
        engine = schema_engine(POSTGRES_URL, schema)
        try:
            assert current_revision(engine) is None
            _upgrade_in_place(engine)
        finally:
            engine.dispose()
