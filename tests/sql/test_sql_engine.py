"""Engine set-up, SQLite write serialization, timestamp encoding and the import guard."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from waffo_portal import ConfigurationError
from waffo_portal.stores.sql import SqlStore, build_engine, migrate, normalize_url
from waffo_portal.testing import sample_subscription
from waffo_portal.testing.factories import EPOCH, sample_order, sample_plans


@pytest.mark.parametrize("url", ["postgresql://u@h/db", "postgres://u@h/db",
                                 "postgresql+psycopg://u@h/db"])
def test_postgres_urls_use_psycopg3(url: str) -> None:
    assert normalize_url(url).drivername == "postgresql+psycopg"


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "mysql://u@h/db"])
def test_unsafe_or_unsupported_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError):
        build_engine(url)


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    engine.dispose()


def test_sqlite_read_modify_write_from_many_processes_serializes(tmp_path: Path) -> None:
    """Each worker has its own engine (like a process). With a deferred BEGIN the read lock
    could not be upgraded and workers would fail with "database is locked"; BEGIN IMMEDIATE
    makes them queue, so every increment lands."""
    url = f"sqlite:///{tmp_path / 'p.db'}"
    migrate(url)
    plan = sample_plans()[0]
    SqlStore.from_url(url).save_subscription(sample_subscription("b1", plan))
    workers, rounds = 6, 5
    stores = [SqlStore.from_url(url) for _ in range(workers)]
    barrier, errors = threading.Barrier(workers), []

    def work(store: SqlStore) -> None:
        barrier.wait()
        for _ in range(rounds):
            try:
                with store.atomic():
                    current = store.get_subscription("sub_1")
                    assert current is not None
                    store.save_subscription(attrs.evolve(current, plan_id=f"v{current.version}"))
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    final = stores[0].get_subscription("sub_1")
    assert final is not None and final.version == 1 + workers * rounds
    for store in stores:
        store.engine.dispose()


def test_sqlite_timestamps_order_by_instant_at_microsecond_precision(tmp_path: Path) -> None:
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'p.db'}", migrate=True)
    plan = sample_plans()[0]
    moments = {"old": datetime(1969, 7, 20, 20, 17, 40, tzinfo=UTC),
               "a": EPOCH, "b": EPOCH + timedelta(microseconds=1),
               "c": EPOCH + timedelta(days=365 * 30, microseconds=999_999)}
    for order_id, moment in moments.items():
        store.save_order(sample_order("b1", plan, moment, order_id))
    assert [o.id for o in store.list_orders("b1", 10)] == ["c", "b", "a", "old"]
    assert [o.created_at for o in store.list_orders("b1", 10)] == sorted(
        moments.values(), reverse=True)
    assert [o.id for o in store.list_orders("b1", 10, (moments["b"], "b"))] == ["a", "old"]
    store.engine.dispose()


def test_import_without_sqlalchemy_names_the_extra() -> None:
    code = ("import sys; sys.modules['sqlalchemy'] = None\n"
            "try:\n    import waffo_portal.stores.sql\n"
            "except ImportError as exc:\n    print(exc)\n")
    src = str(Path(__file__).resolve().parents[2] / "src")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": src})
    assert 'pip install "waffo-portal[sql]"' in out.stdout


def test_due_predicate_lists_exactly_the_due_statuses() -> None:
    """The partial index spells the statuses out as literals; keep it in step."""
    from waffo_portal.stores.memory import DUE_STATUSES
    from waffo_portal.stores.sql.schema import DUE_PREDICATE

    listed = set(str(DUE_PREDICATE).split("(")[1].rstrip(")").replace("'", "").split(", "))
    assert listed == {status.value for status in DUE_STATUSES}


def test_database_errors_do_not_quote_their_parameters(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'params.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id TEXT PRIMARY KEY)"))
    secret = "DE136695976"  # a tax id: must never reach a log line via an error's text
    with pytest.raises(IntegrityError) as info, engine.begin() as conn:
        for _ in range(2):
            conn.execute(text("INSERT INTO t (id) VALUES (:id)"), {"id": secret})
    assert secret not in str(info.value)
    assert "UNIQUE" in str(info.value)  # the cause is still there
