"""Engine construction: URL normalisation and the SQLite settings that make it safe.

SQLite: WAL (readers never block the writer), foreign keys on, a busy timeout,
and ``BEGIN IMMEDIATE`` for write transactions. pysqlite's own transaction
handling is switched off so that SQLAlchemy's ``begin`` hook decides how each
transaction starts: a write transaction takes the write lock up front, so two
threads or processes queue on the busy timeout instead of one failing with
"database is locked" when it tries to upgrade a read lock.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import ConnectionPoolEntry

from ...core.exceptions import ConfigurationError

BUSY_TIMEOUT_MS = 30_000
# Execution option a write transaction sets on its connection before it begins.
WRITE_OPTION = "waffo_write"
SINGLE_READ_OPTION = "waffo_single_read"  # one SELECT outside atomic(): no BEGIN needed


def normalize_url(url: str | URL) -> URL:
    """Map ``postgresql://`` (and Heroku's ``postgres://``) to psycopg 3."""
    if isinstance(url, str) and url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def build_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An Engine for ``url`` with the settings the store relies on."""
    parsed = normalize_url(url)
    backend = parsed.get_backend_name()
    # A database error's text otherwise quotes its bound parameters (tax ids, emails,
    # session and link hashes), and unexpected errors are logged with their traceback.
    kwargs.setdefault("hide_parameters", True)
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise ConfigurationError(
                "In-memory SQLite gives every connection its own empty database; use a file "
                "path (or MemoryStore for tests)", setting="database_url")
        engine = create_engine(parsed, **kwargs)
        configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(parsed, **kwargs)
    raise ConfigurationError(f"Unsupported database {backend!r}; use SQLite or PostgreSQL",
                             setting="database_url")


def configure_sqlite(engine: Engine) -> None:
    """Install the connect/begin hooks on a SQLite engine (idempotent per engine)."""
    if engine.dialect.name != "sqlite" or getattr(engine, "_waffo_sqlite", False):
        return
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    engine._waffo_sqlite = True  # type: ignore[attr-defined]


def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, see _on_begin
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _on_begin(connection: Connection) -> None:
    options = connection.get_execution_options()
    if options.get(SINGLE_READ_OPTION, False):
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE_OPTION) else "BEGIN")
