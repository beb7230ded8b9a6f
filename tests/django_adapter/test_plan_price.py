"""The Django store refuses a negative plan price before a row is written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from waffo_portal.integrations.django.store import DjangoStore

from ..core.test_plan_price import assert_negative_prices_refused
from ..django_settings import clear_tables, require_postgres


@pytest.fixture
def sqlite_store() -> Iterator[DjangoStore]:
    clear_tables("default")
    yield DjangoStore()
    clear_tables("default")


def test_django_on_sqlite_refuses_a_negative_price(sqlite_store: DjangoStore) -> None:
    assert_negative_prices_refused(sqlite_store)


@pytest.mark.postgres
def test_django_on_postgres_refuses_a_negative_price() -> None:
    require_postgres()
    clear_tables("postgres")
    try:
        assert_negative_prices_refused(DjangoStore(using="postgres"))
    finally:
        clear_tables("postgres")
