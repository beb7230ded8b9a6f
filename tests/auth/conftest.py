"""The store fixture (memory, SQLite, PostgreSQL) for the rate-limit tests."""

from ..sql.conftest import pg_engine, pg_schema, pg_store  # noqa: F401  (fixtures)
from ..sync.conftest import store  # noqa: F401  (memory, SQLite and PostgreSQL)
