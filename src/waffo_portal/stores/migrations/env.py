"""Alembic environment for waffo-portal's own tables (run via ``waffo_portal.stores.sql.migrate``).

Online mode only: the engine comes from ``config.attributes["engine"]``. Each
migration runs in one transaction (transactional DDL on PostgreSQL and SQLite).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from waffo_portal.stores.sql.engine import WRITE_OPTION
from waffo_portal.stores.sql.migrate import VERSION_TABLE
from waffo_portal.stores.sql.schema import metadata


def run_migrations_online() -> None:
    engine = context.config.attributes.get("engine")
    if not isinstance(engine, Engine):
        raise RuntimeError("use waffo_portal.stores.sql.migrate(); it passes the engine")
    with engine.connect() as connection:
        # SQLite: take the write lock up front so concurrent migrators queue, not fail.
        connection.execution_options(**{WRITE_OPTION: True})
        context.configure(connection=connection, target_metadata=metadata,
                          version_table=VERSION_TABLE, transaction_per_migration=True,
                          render_as_batch=engine.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) mode is not supported")
run_migrations_online()
