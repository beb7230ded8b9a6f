from __future__ import annotations

import pytest

from waffo_portal.ports import Store
from waffo_portal.stores.sql import SqlStore
from waffo_portal.testing.contract import StoreContract

pytestmark = pytest.mark.postgres


class TestPostgresStore(StoreContract):
    concurrency_workers = 16

    @pytest.fixture
    def store(self, pg_store: SqlStore) -> Store:
        return pg_store
