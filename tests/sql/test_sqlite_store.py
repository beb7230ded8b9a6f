from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from waffo_portal.ports import Store
from waffo_portal.stores.sql import SqlStore
from waffo_portal.testing.contract import StoreContract


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Migrate once; each test copies the migrated file (much faster than re-migrating)."""
    path = tmp_path_factory.mktemp("template") / "portal.db"
    store = SqlStore.from_url(f"sqlite:///{path}", migrate=True)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.engine.dispose()
    return path.read_bytes()


class TestSqliteStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path, template_db: bytes) -> Iterator[Store]:
        path = tmp_path / "portal.db"
        path.write_bytes(template_db)
        sql_store = SqlStore.from_url(f"sqlite:///{path}")
        yield sql_store
        sql_store.engine.dispose()
