"""``Prepared`` reads go to the driver's cursor and must return what SQLAlchemy returns."""

from __future__ import annotations

import sqlite3
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy.exc
from sqlalchemy import Engine, event, select, text
from sqlalchemy.engine import Connection

from waffo_portal import ConsoleMailer, Portal, TestGateway
from waffo_portal.demo import seed_demo
from waffo_portal.stores.sql import SqlStore, records
from waffo_portal.stores.sql import store as store_module
from waffo_portal.stores.sql.prepared import Compiled, Prepared
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
    column = where.left  # ``column = :key``
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


@pytest.fixture
def executions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every ``Connection.execute`` and every prepared run, in order."""
    calls: list[str] = []
    execute, run = Connection.execute, Compiled.run

    def counted_execute(self: Connection, statement: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append("execute")
        return execute(self, statement, *args, **kwargs)

    def counted_run(self: Compiled, *args: Any) -> Any:
        calls.append("prepared")
        return run(self, *args)

    monkeypatch.setattr(Connection, "execute", counted_execute)
    monkeypatch.setattr(Compiled, "run", counted_run)
    return calls


def page_reads(store: SqlStore) -> None:
    with store.reading():
        buyer = store.find_buyer_by_email("ada@example.com")
        assert buyer is not None
        assert store.get_buyer(buyer.id) == buyer
        assert [s.id for s, _ in store.list_subscriptions_with_plans(buyer.id)] == [
            s.id for s in store.list_subscriptions(buyer.id)]


def test_page_reads_take_the_drivers_cursor_and_atomic_reads_do_not(
        seeded: SqlStore, executions: list[str]) -> None:
    page_reads(seeded)
    assert executions == ["prepared"] * 4
    executions.clear()
    with seeded.atomic():  # a write transaction reads the SQLAlchemy way
        assert seeded.get_buyer("demo1") is not None
    assert "prepared" not in executions and "execute" in executions


def test_an_instrumented_engine_sees_every_read(seeded: SqlStore, executions: list[str]) -> None:
    """Tracing or APM hooks on the engine (OpenTelemetry's, say) must not lose the page's
    reads: with a statement listener installed they go through SQLAlchemy."""
    seen: list[str] = []
    event.listen(seeded.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: seen.append(statement))
    page_reads(seeded)
    assert "prepared" not in executions
    assert sum("waffo_buyers" in statement for statement in seen) == 2
    assert sum("waffo_subscriptions" in statement for statement in seen) == 2


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


def test_a_driver_error_is_raised_as_sqlalchemy_raises_it_and_not_retried(
        tmp_path: Path, executions: list[str]) -> None:
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'broken.db'}", migrate=True)
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE waffo_plans"))
    executions.clear()
    for scope in (store.reading, nullcontext):
        with scope(), pytest.raises(sqlalchemy.exc.OperationalError, match="waffo_plans") as info:
            store.get_plan("pro")
        assert isinstance(info.value.orig, sqlite3.OperationalError)
        assert not info.value.connection_invalidated
    assert executions == ["prepared", "prepared"]  # once each: a timeout is waited out once
    assert store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    with store.reading():  # the connection is still good
        assert store.get_buyer("nobody") is None


@pytest.mark.postgres
def test_a_connection_that_died_is_dropped_and_the_next_read_gets_another(
        pg_store: SqlStore, pg_engine: Engine) -> None:
    seeded = seed(pg_store)

    def kill_reading_connection() -> None:
        """End the read scope's server process (only it: other tests share the server)."""
        pooled = seeded._local.pooled
        assert pooled is not None
        pid = pooled.driver_connection.info.backend_pid  # type: ignore[union-attr]
        with pg_engine.connect() as admin:
            assert admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()

    with seeded.reading():
        assert seeded.get_buyer("demo1") is not None
        kill_reading_connection()
        with pytest.raises(sqlalchemy.exc.OperationalError) as info:
            seeded.get_buyer("demo1")
        assert info.value.connection_invalidated
        assert seeded.get_buyer("demo1") is not None  # same scope, a new connection
        assert seeded.list_cancellations(NOW, NOW) == []  # and the SQLAlchemy reads too
    assert seeded.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_read_interrupted_mid_statement_discards_its_connection(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As SQLAlchemy does for a KeyboardInterrupt or a green-thread timeout: the
    connection's state is unknown, so it is not given back to the pool for reuse."""
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'interrupted.db'}", migrate=True)
    invalidated: list[object] = []
    event.listen(store.engine.pool, "invalidate", lambda *_a: invalidated.append(1))

    def interrupted(self: Compiled, *_args: Any) -> Any:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(Compiled, "run", interrupted)
        with store.reading(), pytest.raises(KeyboardInterrupt):
            store.get_buyer("b1")
    assert invalidated == [1]
    assert store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    with store.reading():
        assert store.get_buyer("b1") is None
