"""``Prepared`` reads go to the driver's cursor and must return what SQLAlchemy returns."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy.exc
from sqlalchemy import event, select, text

from waffo_portal import ConsoleMailer, Portal, TestGateway
from waffo_portal.demo import seed_demo
from waffo_portal.stores.sql import SqlStore, records
from waffo_portal.stores.sql import store as store_module
from waffo_portal.stores.sql.prepared import Prepared
from waffo_portal.testing.factories import test_config

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
PREPARED = {f"{module.__name__.rsplit('.', 1)[1]}.{name}": value
            for module in (records, store_module) for name, value in vars(module).items()
            if isinstance(value, Prepared)}


def seed(store: SqlStore) -> SqlStore:
    """Demo data (orders, payments, invoices), a login link and a session."""
    seed_demo(store, NOW)
    portal = Portal(test_config(), store=store, mailer=ConsoleMailer(), gateway=TestGateway())
    buyer = store.find_buyer_by_email("ada@example.com")
    assert buyer is not None
    link = portal.create_login_link(buyer.id, return_url="")
    portal.confirm_login(parse_qs(urlsplit(link).query)["token"][0])
    return store


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def seeded(request: pytest.FixtureRequest, tmp_path: Path) -> SqlStore:
    if request.param == "sqlite":
        return seed(SqlStore.from_url(f"sqlite:///{tmp_path / 'prepared.db'}", migrate=True))
    return seed(request.getfixturevalue("pg_store"))


def keys_of(store: SqlStore, prepared: Prepared) -> list[Any]:
    """Every value in the database of the column ``prepared`` looks up by."""
    where = prepared.statement.whereclause
    assert where is not None
    column = where.left  # type: ignore[attr-defined]  # ``column = :key``
    with store.engine.connect() as conn:
        return list(conn.execute(select(column).distinct()).scalars())


@pytest.mark.parametrize("name", sorted(PREPARED))
def test_a_prepared_read_returns_what_sqlalchemy_returns(seeded: SqlStore, name: str) -> None:
    prepared = PREPARED[name]
    compiled = prepared.compile(seeded.engine.dialect)
    assert compiled is not None, f"{name} cannot take the driver's cursor"
    keys = keys_of(seeded, prepared)
    assert keys, f"the seeded data has no row for {name}"
    with seeded.engine.connect() as conn:
        for key in [*keys, "no-such-key"]:
            expected = [tuple(row) for row in conn.execute(prepared.statement, {"key": key})]
            conn.rollback()
            got = compiled.run(conn.connection.dbapi_connection, key)
            conn.connection.dbapi_connection.rollback()  # type: ignore[union-attr]
            assert [tuple(row) for row in got] == expected
            assert [type(v) for row in got for v in row] == [
                type(v) for row in expected for v in row]
            assert all(row._fields == tuple(prepared.statement.selected_columns.keys())
                       for row in got)


def test_page_reads_bypass_sqlalchemy_execution(seeded: SqlStore) -> None:
    executed: list[str] = []
    event.listen(seeded.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: executed.append(statement))
    with seeded.reading():
        buyer = seeded.find_buyer_by_email("ada@example.com")
        assert buyer is not None
        assert seeded.get_buyer(buyer.id) == buyer
        assert [s.id for s, _ in seeded.list_subscriptions_with_plans(buyer.id)] == [
            s.id for s in seeded.list_subscriptions(buyer.id)]
    assert executed == []
    with seeded.atomic():  # a write transaction reads the SQLAlchemy way
        assert seeded.get_buyer(buyer.id) == buyer
    assert any("waffo_buyers" in statement for statement in executed)


@pytest.mark.postgres
def test_postgres_reads_leave_no_transaction_open(pg_store: SqlStore) -> None:
    """(SQLite runs lone reads in autocommit mode.)"""
    import psycopg.pq

    seeded = seed(pg_store)
    with seeded.reading():
        assert seeded.find_buyer_by_email("ada@example.com") is not None
        pooled = seeded._local.pooled
        assert pooled is not None
        driver = pooled.driver_connection
        assert driver.info.transaction_status == psycopg.pq.TransactionStatus.IDLE  # type: ignore[union-attr]


def test_a_driver_error_is_reported_as_sqlalchemy_reports_it(tmp_path: Path) -> None:
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'broken.db'}", migrate=True)
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE waffo_plans"))
    with store.reading(), pytest.raises(sqlalchemy.exc.OperationalError, match="waffo_plans"):
        store.get_plan("pro")
    assert store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
