"""The SQL store refuses a negative plan price on SQLite and PostgreSQL, one plan at a time
and in the sync API's bulk write, before a row is written."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from waffo_portal import Money, ValidationError
from waffo_portal.stores.sql import SqlStore

from ..core.test_plan_price import FREE, assert_negative_prices_refused


def test_sqlite_refuses_a_negative_price(tmp_path: Path) -> None:
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'portal.db'}", migrate=True)
    try:
        assert_negative_prices_refused(store)
    finally:
        store.engine.dispose()


@pytest.mark.postgres
def test_postgres_refuses_a_negative_price(pg_store: SqlStore) -> None:
    assert_negative_prices_refused(pg_store)


@pytest.mark.postgres
def test_the_bulk_write_refuses_the_batch_before_copying_a_row(pg_store: SqlStore) -> None:
    plans = [attrs.evolve(FREE, id=f"plan_{n}", price=Money(100, "EUR")) for n in range(70)]
    plans[-1] = attrs.evolve(plans[-1], price=Money(-100, "EUR"))
    with pytest.raises(ValidationError) as refused:
        pg_store.save_plans(plans)
    assert refused.value.keys == {"price": "plan.price_negative"}
    assert pg_store.get_plan("plan_0") is None
    pg_store.save_plans([*plans[:-1], FREE])
    assert pg_store.get_plan("free") == FREE
