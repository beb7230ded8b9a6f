"""Portal is the one facade: web/, the CLI and the demo call nothing past it."""

from __future__ import annotations

import inspect
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest

from waffo_portal import Portal
from waffo_portal.core.lifecycle import next_bill
from waffo_portal.core.models import ScheduledChange, SubscriptionStatus
from waffo_portal.testing.factories import sample_plans, sample_subscription

SRC = Path(__file__).resolve().parents[1] / "src" / "waffo_portal"
CALLERS = [*sorted((SRC / "web").rglob("*.py")), SRC / "cli_commands.py", SRC / "demo_server.py"]
PAST_THE_FACADE = re.compile(r"\bportal\.(store|deps)\b|\bportal\._deps\b|\bportal\._store\b")


@pytest.mark.parametrize("path", CALLERS, ids=lambda path: str(path.relative_to(SRC)))
def test_callers_use_only_the_facade(path: Path) -> None:
    assert PAST_THE_FACADE.findall(path.read_text(encoding="utf-8")) == []


def test_the_facade_has_no_public_store_or_deps() -> None:
    assert not hasattr(Portal, "store")
    assert not hasattr(Portal, "deps")


def test_every_public_method_is_documented() -> None:
    undocumented = [name for name, member in inspect.getmembers(Portal)
                    if not name.startswith("_") and callable(member) and not member.__doc__]
    assert undocumented == []
    assert Portal.__doc__


def test_error_sections_name_what_a_change_raises() -> None:
    for name in ("change_plan", "cancel_subscription", "reactivate_subscription"):
        doc = getattr(Portal, name).__doc__ or ""
        assert "Idempotent" in doc and "NotFound" in doc, name


NOW = datetime(2026, 5, 1, tzinfo=UTC)
BASIC, PRO = sample_plans("EUR")[:2]


@pytest.mark.parametrize("status", [SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING,
                                    SubscriptionStatus.PAST_DUE])
def test_next_bill_is_the_plan_price_at_the_period_end(status: SubscriptionStatus) -> None:
    plan = PRO
    subscription = sample_subscription("buyer_1", plan, status=status)
    assert next_bill(subscription, plan, None) == (subscription.current_period_end, plan.price)


@pytest.mark.parametrize("status", [SubscriptionStatus.CANCELING, SubscriptionStatus.CANCELED,
                                    SubscriptionStatus.EXPIRED])
def test_an_ending_subscription_has_no_next_bill(status: SubscriptionStatus) -> None:
    plan = PRO
    subscription = sample_subscription("buyer_1", plan, status=status)
    assert next_bill(subscription, plan, None) == (None, None)


def test_a_scheduled_downgrade_bills_the_new_plans_price() -> None:
    pro, basic = PRO, BASIC
    assert basic.price != pro.price
    subscription = attrs.evolve(sample_subscription("buyer_1", pro), scheduled_change=(
        ScheduledChange(plan_id=basic.id, effective_at=NOW + timedelta(days=3),
                        requested_at=NOW)))
    assert next_bill(subscription, pro, basic) == (subscription.current_period_end, basic.price)


def test_a_missing_plan_leaves_the_amount_unknown() -> None:
    subscription = sample_subscription("buyer_1", PRO)
    assert next_bill(subscription, None, None) == (subscription.current_period_end, None)
