"""Connection and transaction plumbing shared by the SQL store's parts."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Select, Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from .engine import SINGLE_READ_OPTION, WRITE_OPTION, configure_sqlite


def lookup(table: Table, column: str) -> Select[Any]:
    """``SELECT * FROM table WHERE column = :key``, to build once at import time.

    Executed with ``key=…``, one statement object serves every call: SQLAlchemy then
    neither rebuilds the statement nor regenerates its cache key, which is about half
    the cost of a primary-key read on SQLite.
    """
    return select(table).where(table.c[column] == bindparam("key"))


class SqlBase:
    """One connection and transaction per thread while ``atomic()`` is open."""

    def __init__(self, engine: Engine) -> None:
        configure_sqlite(engine)
        self.engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self._local = threading.local()

    # Transactions
    @contextmanager
    def atomic(self) -> Iterator[None]:
        with self._tx(write=True):
            yield

    @contextmanager
    def _tx(self, *, write: bool) -> Iterator[Connection]:
        current: Connection | None = getattr(self._local, "conn", None)
        if current is not None:
            yield current  # join the thread's open transaction
            return
        with self.engine.connect() as conn:
            if write:
                conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                self._local.conn = conn
                try:
                    yield conn
                finally:
                    self._local.conn = None

    def _insert(self, table: Table) -> postgresql.Insert | sqlite.Insert:
        return postgresql.insert(table) if self._postgres else sqlite.insert(table)

    def _upsert(self, table: Table, values: Mapping[str, Any]) -> None:
        keys = [column.name for column in table.primary_key.columns]
        stmt = self._insert(table).values(dict(values))
        changes = {name: stmt.excluded[name] for name in values if name not in keys}
        with self._tx(write=True) as conn:
            conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changes))

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Serve this thread's reads from one pooled connection until the block ends.

        A page view makes four or five reads; checking a connection out of the pool and
        back for each cost more than the SELECT itself on SQLite. Each read still ends
        its own transaction (see ``_reader``), and ``atomic()`` opens its own connection.
        """
        if getattr(self._local, "reading", False):
            yield  # nested: the outer block owns the connection
            return
        self._local.reading = True
        try:
            yield
        finally:
            self._local.reading = False
            shared: Connection | None = getattr(self._local, "shared", None)
            self._local.shared = None
            if shared is not None:
                shared.close()

    @contextmanager
    def _reader(self) -> Iterator[Connection]:
        """A connection for one read: the open transaction if any, else a bare connection.

        A single SELECT is consistent on its own, so on SQLite it runs without BEGIN/COMMIT
        (half the statements of a short read transaction on the portal's hot pages).
        """
        current: Connection | None = getattr(self._local, "conn", None)
        if current is not None:
            yield current
            return
        if getattr(self._local, "reading", False):
            with self._shared_reader() as conn:
                yield conn
            return
        with self.engine.connect() as conn:
            conn.execution_options(**{SINGLE_READ_OPTION: True})
            yield conn

    @contextmanager
    def _shared_reader(self) -> Iterator[Connection]:
        shared: Connection | None = getattr(self._local, "shared", None)
        if shared is None:  # checked out on the first read, not when the block opens
            shared = self.engine.connect()
            shared.execution_options(**{SINGLE_READ_OPTION: True})
            self._local.shared = shared
        try:
            yield shared
        finally:
            # End this read's transaction as closing the connection would: the next read
            # sees what was committed meanwhile (a logout, a revoked session).
            shared.rollback()

    def _one(self, query: Any, **params: Any) -> Any:
        with self._reader() as conn:
            return conn.execute(query, params or None).first()

    def _all(self, query: Any, **params: Any) -> Sequence[Any]:
        with self._reader() as conn:
            return conn.execute(query, params or None).all()
