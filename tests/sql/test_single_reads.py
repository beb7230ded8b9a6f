"""Reads outside atomic() are one statement on SQLite; inside it they join the transaction;
inside reading() (a page view) they share one pooled connection.

Statements are counted by SQLite itself (its trace callback), so reads that go straight
to the driver's cursor (``Prepared``) are counted like the others.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import event

from waffo_portal import Buyer
from waffo_portal.stores.sql import SqlStore


def traced(store: SqlStore) -> list[str]:
    """Every statement SQLite runs for ``store`` from now on (connections reopened)."""
    statements: list[str] = []

    def trace(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.set_trace_callback(lambda sql: statements.append(sql.strip()))

    store.engine.dispose()
    event.listen(store.engine, "connect", trace)
    return statements


def test_a_lone_read_sends_one_statement_and_reads_inside_atomic_join_it(tmp_path: Path) -> None:
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'reads.db'}", migrate=True)
    store.save_buyer(Buyer("b1", "a@example.com"))
    statements = traced(store)
    assert store.get_buyer("b1") == Buyer("b1", "a@example.com")
    assert len(statements) == 1 and statements[0].startswith("SELECT")
    statements.clear()
    with store.atomic():
        store.get_buyer("b1")
        store.save_buyer(Buyer("b1", "b@example.com"))
    assert statements[0] == "BEGIN IMMEDIATE" and statements.count("BEGIN IMMEDIATE") == 1
    assert store.find_buyer_by_email("b@example.com") is not None


def test_reads_in_a_read_scope_share_one_connection_and_stay_single_statements(
        tmp_path: Path) -> None:
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'reads.db'}", migrate=True)
    store.save_buyer(Buyer("b1", "a@example.com"))
    checkouts: list[object] = []
    statements = traced(store)
    event.listen(store.engine.pool, "checkout", lambda *_a: checkouts.append(1))
    with store.reading():
        assert not checkouts  # nothing is checked out until the first read
        for _ in range(3):
            assert store.get_buyer("b1") is not None
        assert store.get_plan("none") is None
    assert len(checkouts) == 1 and len(statements) == 4
    assert all(s.startswith("SELECT") for s in statements)
    assert store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_subscriptions_page_reads_three_statements(tmp_path: Path) -> None:
    """Session, buyer, and the subscriptions joined with their plans."""
    from waffo_portal import ConsoleMailer, Portal, TestGateway
    from waffo_portal.demo import seed_demo
    from waffo_portal.testing.client import PortalTestClient
    from waffo_portal.testing.factories import test_config
    from waffo_portal.web import PortalWebApp

    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'page.db'}", migrate=True)
    seed_demo(store, datetime.now(UTC))
    portal = Portal(test_config(), store=store, mailer=ConsoleMailer(), gateway=TestGateway())
    buyer = store.find_buyer_by_email("ada@example.com")
    assert buyer is not None
    link = portal.create_login_link(buyer.id, return_url="")
    session = portal.confirm_login(parse_qs(urlsplit(link).query)["token"][0])
    client = PortalTestClient(PortalWebApp(portal))
    client.cookies[portal.config.cookie_name] = session.session_id
    statements = traced(store)
    page = client.get("/subscriptions")
    assert page.status == 200 and "Pro" in page.text
    assert len(statements) == 3 and "JOIN" in statements[2]


def test_prepared_and_sqlalchemy_reads_in_a_read_scope_share_its_connection(
        tmp_path: Path) -> None:
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'reads.db'}", migrate=True)
    store.save_buyer(Buyer("b1", "a@example.com"))
    checkouts: list[object] = []
    event.listen(store.engine.pool, "checkout", lambda *_a: checkouts.append(1))
    now = datetime.now(UTC)
    with store.reading():
        assert store.get_buyer("b1") is not None  # the driver's cursor
        assert list(store.list_cancellations(now, now)) == []  # Connection.execute
        assert store.get_buyer("b1") is not None
    assert len(checkouts) == 1
    assert store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
