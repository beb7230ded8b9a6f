from __future__ import annotations

import pytest

from waffo_portal import MemoryStore
from waffo_portal.ports import Store
from waffo_portal.testing.contract import StoreContract


class TestMemoryStore(StoreContract):
    @pytest.fixture
    def store(self) -> Store:
        return MemoryStore()
