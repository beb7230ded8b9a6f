"""Reads outside atomic() are one statement on SQLite; inside it they join the transaction;
inside reading() (a page view) they share one pooled connection."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event

from waffo_portal import Buyer
from waffo_portal.stores.sql import SqlStore


def test_a_lone_read_sends_one_statement_and_reads_inside_atomic_join_it(tmp_path: Path) -> None:
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'reads.db'}", migrate=True)
    store.save_buyer(Buyer("b1", "a@example.com"))
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: statements.append(statement.strip()))
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
    statements: list[str] = []
    event.listen(store.engine.pool, "checkout", lambda *_a: checkouts.append(1))
    event.listen(store.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: statements.append(statement.strip()))
    with store.reading():
        assert not checkouts  # nothing is checked out until the first read
        for _ in range(3):
            assert store.get_buyer("b1") is not None
        assert store.get_plan("none") is None
    assert len(checkouts) == 1 and len(statements) == 4
    assert all(s.startswith("SELECT") for s in statements)
    assert store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
