"""A plan price below zero is refused on every save, before anything is written; zero (a
free plan) is allowed. The memory store here; tests/sql and tests/django_adapter run the
same checks against their stores."""

from __future__ import annotations

import attrs
import pytest

from waffo_portal import Money, PlanRecord, ValidationError
from waffo_portal.core.models import BillingPeriod, Plan
from waffo_portal.core.plan_rules import check_plan_price, check_plan_prices
from waffo_portal.ports import Store
from waffo_portal.stores.memory import MemoryStore
from waffo_portal.testing import make_kit

FREE = Plan("free", "Free", "app", Money(0, "EUR"), BillingPeriod.MONTHLY)


def assert_negative_prices_refused(store: Store) -> None:
    """Shared by the store tests: a new plan and a repriced one are refused, nothing is
    written, and a free plan is stored."""
    store.save_plan(FREE)
    assert store.get_plan("free") == FREE
    for price in (-1, -500):
        with pytest.raises(ValidationError) as refused:
            store.save_plan(attrs.evolve(FREE, id="new", price=Money(price, "EUR")))
        assert refused.value.keys == {"price": "plan.price_negative"}
        assert store.get_plan("new") is None
        with pytest.raises(ValidationError):
            store.save_plan(attrs.evolve(FREE, price=Money(price, "EUR")))
        assert store.get_plan("free") == FREE


def test_the_memory_store_refuses_a_negative_price() -> None:
    assert_negative_prices_refused(MemoryStore())


def test_the_check_allows_zero_and_checks_every_plan_first() -> None:
    check_plan_price(FREE)
    negative = attrs.evolve(FREE, id="neg", price=Money(-1, "EUR"))
    with pytest.raises(ValidationError) as refused:
        check_plan_prices([FREE, negative])
    assert refused.value.errors == {"price": "A plan price cannot be negative"}


def test_a_negative_price_never_reaches_a_renewal() -> None:
    kit = make_kit()
    basic = kit.plans["basic"]
    with pytest.raises(ValidationError):
        kit.store.save_plan(attrs.evolve(basic, price=Money(-500, "USD")))
    report = kit.portal.apply_due(kit.subscription.current_period_end)
    assert report.counts == {"renewed": 1}
    assert [c.amount for c in kit.gateway.charges] == [Money(500, "USD")]


def test_the_sync_api_refuses_a_negative_plan_before_the_store_is_asked() -> None:
    kit = make_kit()
    with pytest.raises(ValidationError) as refused:
        kit.portal.sync.apply([PlanRecord(attrs.evolve(FREE, price=Money(-500, "EUR")), 1)])
    assert "sync.amount_negative" in refused.value.keys.values()
    assert kit.store.get_plan("free") is None
