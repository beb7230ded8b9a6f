from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db import connections

from waffo_portal.integrations.django.store import DjangoStore
from waffo_portal.ports import Store
from waffo_portal.testing import contract, sync_contract
from waffo_portal.testing.contract import StoreContract

from ..django_settings import POSTGRES_URL, clear_tables, require_postgres


@pytest.fixture(autouse=True)
def close_thread_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    """The contract's racing threads each open a Django connection; close it when the
    thread's job ends instead of leaving it to the garbage collector."""
    race = sync_contract._race

    def closing_race(workers: int, job: Callable[[], object]) -> list[object]:
        def run() -> object:
            try:
                return job()
            finally:
                connections.close_all()

        return race(workers, run)

    monkeypatch.setattr(contract, "_race", closing_race)
    monkeypatch.setattr(sync_contract, "_race", closing_race)


class TestDjangoStoreOnSqlite(StoreContract):
    @pytest.fixture
    def store(self) -> Iterator[Store]:
        clear_tables("default")
        yield DjangoStore()
        clear_tables("default")


@pytest.mark.postgres
class TestDjangoStoreOnPostgres(StoreContract):
    @pytest.fixture
    def store(self) -> Iterator[Store]:
        require_postgres()
        clear_tables("postgres")
        yield DjangoStore(using="postgres")
        clear_tables("postgres")


def test_skip_locked_is_used_where_the_database_supports_it() -> None:
    # The SQLite path relies on IMMEDIATE transactions instead; see store.py.
    assert not connections["default"].features.has_select_for_update_skip_locked
    if POSTGRES_URL:
        assert connections["postgres"].features.has_select_for_update_skip_locked


def test_migration_matches_the_models() -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "waffo_portal", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
