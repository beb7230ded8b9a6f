"""Connection and transaction plumbing shared by the SQL store's parts."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

from sqlalchemy import Engine, Result, Select, Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection

from . import schema
from .engine import SINGLE_READ_OPTION, WRITE_OPTION, configure_sqlite
from .prepared import Compiled, Prepared


def lookup(table: Table, column: str) -> Select[Any]:
    """``SELECT * FROM table WHERE column = :key``, to build once at import time.

    Executed with ``key=…``, one statement object serves every call: SQLAlchemy then
    neither rebuilds the statement nor regenerates its cache key, which is about half
    the cost of a primary-key read on SQLite. Wrap it in ``Prepared`` for the page
    views' reads.
    """
    return select(table).where(table.c[column] == bindparam("key"))


_T = TypeVar("_T")
_UNCOMPILED: Any = object()


class _ThreadState(threading.local):
    conn: Connection | None = None  # the open atomic() transaction
    reading: bool = False  # inside reading()
    pooled: PoolProxiedConnection | None = None  # reading()'s connection, once a read needed it
    shared: Connection | None = None  # the same, wrapped once a SQLAlchemy read needed it
    after_commit: list[Callable[[], None]] | None = None  # on_commit()'s, while atomic() is open


class SqlBase:
    """Per thread: one connection and transaction while ``atomic()`` is open, one shared
    read connection while ``reading()`` is open, else a connection per read."""

    def __init__(self, engine: Engine) -> None:
        configure_sqlite(engine)
        self.engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self._local = _ThreadState()
        self._compiled: dict[Prepared, Compiled | None] = {}
        self._upserts: dict[tuple[str, tuple[str, ...]], Any] = {}

    # Transactions
    @contextmanager
    def atomic(self) -> Iterator[None]:
        with self._tx(write=True):
            yield

    @contextmanager
    def _tx(self, *, write: bool) -> Iterator[Connection]:
        current = self._local.conn
        if current is not None:
            yield current  # join the thread's open transaction
            return
        local = self._local
        callbacks: list[Callable[[], None]] = []
        with self.engine.connect() as conn:
            if write:
                conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                local.conn, local.after_commit = conn, callbacks
                try:
                    yield conn
                finally:
                    local.conn, local.after_commit = None, None
        for callback in callbacks:  # reached only once the transaction committed
            callback()

    def on_commit(self, callback: Callable[[], None]) -> None:
        pending = self._local.after_commit
        if pending is None:
            callback()
        else:
            pending.append(callback)

    def _insert(self, table: Table) -> postgresql.Insert | sqlite.Insert:
        return postgresql.insert(table) if self._postgres else sqlite.insert(table)

    def _lock_invoice_counter(self, conn: Connection, prefix: str) -> int:
        """The prefix's last invoice number, its counter row locked until commit (created
        at 0 if new): every numbering, one order or a batch, goes through this lock."""
        seq = schema.invoice_sequences
        conn.execute(self._insert(seq).values(prefix=prefix, last_number=0)
                     .on_conflict_do_nothing())
        last: int = conn.execute(select(seq.c.last_number).where(seq.c.prefix == prefix)
                                 .with_for_update()).scalar_one()
        return last

    def _set_invoice_counter(self, conn: Connection, prefix: str, last_number: int) -> None:
        seq = schema.invoice_sequences
        conn.execute(update(seq).values(last_number=last_number).where(seq.c.prefix == prefix))

    def _upsert(self, table: Table, values: Mapping[str, Any]) -> None:
        """Insert or replace one row; the statement is built once per table and column set
        and then only executed with parameters (building it cost more than running it)."""
        stmt = self._upsert_statement(table, tuple(values))
        with self._tx(write=True) as conn:
            conn.execute(stmt, dict(values))

    def _upsert_statement(self, table: Table, columns: tuple[str, ...]) -> Any:
        stmt = self._upserts.get((table.name, columns))
        if stmt is None:
            keys = [column.name for column in table.primary_key.columns]
            insert = self._insert(table)
            changes = {name: insert.excluded[name] for name in columns if name not in keys}
            stmt = insert.on_conflict_do_update(index_elements=keys, set_=changes)
            self._upserts[(table.name, columns)] = stmt
        return stmt

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Serve this thread's reads from one pooled connection until the block ends.

        A page view makes four or five reads; checking a connection out of the pool and
        back for each cost more than the SELECT itself on SQLite. Each read still ends
        its own transaction (see ``_read``), and ``atomic()`` opens its own connection.
        """
        local = self._local
        if local.reading:
            yield  # nested: the outer block owns the connection
            return
        local.reading = True
        try:
            yield
        finally:
            shared, pooled = local.shared, local.pooled
            local.shared, local.pooled, local.reading = None, None, False
            if shared is not None:
                shared.close()  # returns ``pooled`` too
            elif pooled is not None:
                pooled.close()

    def _one(self, query: Any, **params: Any) -> Any:
        if isinstance(query, Prepared):
            rows = self._prepared_rows(query, params)
            if rows is not None:
                return rows[0] if rows else None
            query = query.statement
        return self._read(query, params, Result.first)

    def _all(self, query: Any, **params: Any) -> Sequence[Any]:
        if isinstance(query, Prepared):
            rows = self._prepared_rows(query, params)
            if rows is not None:
                return rows
            query = query.statement
        return self._read(query, params, Result.all)

    def _prepared_rows(self, prepared: Prepared, params: Mapping[str, Any]) -> list[Any] | None:
        """``prepared``'s rows read on the driver's cursor; None: use ``_read`` instead
        (inside atomic(), on an instrumented engine, or a statement the driver cannot take
        as is). A driver error is raised as ``Connection.execute`` would raise it."""
        local = self._local
        if local.conn is not None or self._instrumented():
            return None
        compiled = self._compiled.get(prepared, _UNCOMPILED)
        if compiled is _UNCOMPILED:
            compiled = self._compiled[prepared] = prepared.compile(self.engine.dialect)
        if compiled is None:
            return None
        if local.reading:
            return self._run_prepared(compiled, self._pooled_connection(), params["key"],
                                      lost=self._drop_reading_connection)
        pooled = self.engine.raw_connection()
        try:
            return self._run_prepared(compiled, pooled, params["key"], lost=pooled.invalidate)
        finally:
            if pooled.dbapi_connection is not None:  # None: invalidated, already given back
                pooled.close()

    def _instrumented(self) -> bool:
        """Whether someone watches this engine's statements (tracing, APM, logging) or
        rewrites them: then every read goes through SQLAlchemy, where they see it."""
        engine = self.engine
        dispatch = engine.dispatch
        return bool(dispatch.before_cursor_execute or dispatch.after_cursor_execute
                    or dispatch.before_execute or engine.echo
                    or "schema_translate_map" in engine.get_execution_options())

    def _run_prepared(self, compiled: Compiled, pooled: PoolProxiedConnection, key: object,
                      lost: Callable[[BaseException], None]) -> list[Any]:
        """Run on ``pooled``; on PostgreSQL end the transaction psycopg began, as ``_read``
        does. A driver error is wrapped like SQLAlchemy's own, never retried (a timeout
        is waited out once); a dropped connection is handed to ``lost``."""
        dialect = self.engine.dialect
        driver = pooled.dbapi_connection
        try:
            if driver is None:
                raise dialect.loaded_dbapi.InterfaceError("the connection is closed")
            rows = compiled.run(driver, key)
            if self._postgres:
                driver.rollback()
            return rows
        except dialect.loaded_dbapi.Error as exc:
            dropped = driver is None or dialect.is_disconnect(exc, driver, None)
            if dropped:
                lost(exc)
            elif self._postgres and driver is not None:
                with suppress(dialect.loaded_dbapi.Error):
                    driver.rollback()  # leave the connection usable, as _read does
            raise DBAPIError.instance(
                compiled.sql, None, exc, dialect.loaded_dbapi.Error,
                hide_parameters=self.engine.hide_parameters, connection_invalidated=dropped,
                dialect=dialect) from exc
        except BaseException as exc:
            if not isinstance(exc, Exception):  # interrupted mid-statement (a signal, a
                lost(exc)  # green-thread timeout): the connection's state is unknown
            elif self._postgres and driver is not None:  # e.g. a value that failed to decode
                with suppress(dialect.loaded_dbapi.Error):
                    driver.rollback()
            raise

    def _pooled_connection(self) -> PoolProxiedConnection:
        """reading()'s connection, checked out on the first read (not when the block opens).
        Straight from the pool: prepared reads need no SQLAlchemy ``Connection``."""
        local = self._local
        if local.shared is not None:
            return local.shared.connection  # a fresh one if SQLAlchemy dropped a dead one
        if local.pooled is None:
            local.pooled = self.engine.raw_connection()
        return local.pooled

    def _drop_reading_connection(self, error: BaseException) -> None:
        """reading()'s connection died: discard it; the next read checks out another."""
        local = self._local
        if local.shared is not None:
            local.shared.invalidate(error)  # the Connection reconnects on its next use
        elif local.pooled is not None:
            local.pooled.invalidate(error)  # given back to the pool and discarded
            local.pooled = None

    def _shared_connection(self) -> Connection:
        """reading()'s connection as a SQLAlchemy ``Connection``, for ``_read``."""
        local = self._local
        shared = local.shared
        if shared is None:
            shared = local.shared = Connection(self.engine, self._pooled_connection())
            shared.execution_options(**{SINGLE_READ_OPTION: True})
        return shared

    def _read(self, query: Any, params: Mapping[str, Any],
              fetch: Callable[[Result[Any]], _T]) -> _T:
        """One SELECT: in the open transaction if any, else on reading()'s connection,
        else on a connection of its own. Plain calls, no context managers: every read of
        every page comes through here.

        A single SELECT is consistent on its own, so on SQLite it runs without BEGIN/COMMIT
        (half the statements of a short read transaction on the portal's hot pages).
        """
        local = self._local
        if local.conn is not None:
            return fetch(local.conn.execute(query, params or None))
        if not local.reading:
            with self.engine.connect() as conn:
                conn.execution_options(**{SINGLE_READ_OPTION: True})
                return fetch(conn.execute(query, params or None))
        shared = self._shared_connection()
        try:
            return fetch(shared.execute(query, params or None))
        finally:
            # End this read's transaction as closing the connection would: the next read
            # sees what was committed meanwhile (a logout, a revoked session).
            shared.rollback()
