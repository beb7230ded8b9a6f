"""The SQL store: SQLite by default, PostgreSQL in production (``pip install "waffo-portal[sql]"``).

    store = SqlStore.from_url("sqlite:///portal.db", migrate=True)
    store = SqlStore.from_url("postgresql://user@host/db")  # run migrate() at deploy time
"""

from __future__ import annotations

try:
    import sqlalchemy  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        'waffo_portal.stores.sql needs SQLAlchemy and Alembic: pip install "waffo-portal[sql]" '
        '(PostgreSQL also needs psycopg: pip install "waffo-portal[postgres]")'
    ) from exc

from .engine import build_engine, normalize_url
from .migrate import migrate
from .store import SqlStore

__all__ = ["SqlStore", "build_engine", "migrate", "normalize_url"]
