"""Pure helpers behind the plan picker and the past-due banner."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import attrs

from waffo_portal import Money, OrderStatus, PaymentStatus, SubscriptionStatus
from waffo_portal.core.lifecycle import failed_at, open_renewal, recovered
from waffo_portal.core.models import Payment, Plan
from waffo_portal.core.plan_rules import (
    change_direction,
    monthly_counterpart,
    price_per_month,
    yearly_saving,
)
from waffo_portal.core.proration import ChangeKind, quote_plan_change
from waffo_portal.testing.factories import EPOCH, sample_order, sample_plans, sample_subscription

PLANS = {p.id: p for p in sample_plans()}
BASIC, PRO, PRO_YEARLY, TEAM = (PLANS[i] for i in ("basic-usd", "pro-usd", "pro-yearly-usd",
                                                    "team-usd"))


def test_plans_compare_by_price_per_month() -> None:
    assert price_per_month(PRO) == 2000
    assert price_per_month(PRO_YEARLY) == Fraction(20000, 12)
    now = EPOCH + timedelta(days=3)

    def direction(current: Plan, other: Plan) -> str:
        return change_direction(sample_subscription("b", current), current, other, now)

    assert direction(BASIC, PRO) == "upgrade"
    assert direction(TEAM, PRO_YEARLY) == "downgrade"  # $16.67 a month < $50
    assert direction(BASIC, PRO_YEARLY) == "upgrade"
    assert direction(PRO, attrs.evolve(PRO, id="pro-2")) == "switch"


def test_the_label_follows_when_the_change_really_happens() -> None:
    # Early in a $200 year, Team ($50 a month) is dearer per month, but the unused credit
    # exceeds its price, so the proration moves it to the period end: not an "Upgrade".
    yearly = sample_subscription("b", PRO_YEARLY)
    for now in (EPOCH + timedelta(days=3), EPOCH + timedelta(days=360)):
        quote = quote_plan_change(yearly, PRO_YEARLY, TEAM, now)
        label = change_direction(yearly, PRO_YEARLY, TEAM, now)
        assert label == ("upgrade" if quote.kind is ChangeKind.UPGRADE else "later")
    assert change_direction(yearly, PRO_YEARLY, TEAM, EPOCH + timedelta(days=3)) == "later"
    assert change_direction(yearly, PRO_YEARLY, TEAM, EPOCH + timedelta(days=360)) == "upgrade"


def test_the_monthly_counterpart_is_the_same_tier() -> None:
    assert monthly_counterpart(PRO_YEARLY, PLANS.values()) == PRO
    demo = attrs.evolve(PRO_YEARLY, id="x1", name="Pro (yearly)")
    assert monthly_counterpart(demo, PLANS.values()) == PRO  # by name
    other = attrs.evolve(PRO_YEARLY, id="solo-yearly-usd", name="Solo yearly")
    assert monthly_counterpart(other, PLANS.values()) is None
    elsewhere = attrs.evolve(PRO, product_group="other")
    assert monthly_counterpart(PRO_YEARLY, [elsewhere]) is None


def test_the_yearly_saving_against_twelve_months() -> None:
    saving = yearly_saving(PRO_YEARLY, PRO)
    assert saving is not None
    assert saving.amount == Money(4000, "USD") and saving.share == Fraction(1, 6)
    assert yearly_saving(attrs.evolve(PRO_YEARLY, price=Money(24000, "USD")), PRO) is None
    assert yearly_saving(PRO, BASIC) is None  # not a yearly plan


def test_the_open_renewal_of_a_past_due_subscription() -> None:
    sub = sample_subscription("b1", BASIC, status=SubscriptionStatus.PAST_DUE)
    paid = sample_order("b1", BASIC, EPOCH - timedelta(days=31), "o1", sub.id)
    open_ = attrs.evolve(sample_order("b1", BASIC, EPOCH, "o2", sub.id),
                         status=OrderStatus.PENDING)
    older_open = attrs.evolve(open_, id="o0", created_at=EPOCH - timedelta(days=62))
    other_sub = attrs.evolve(open_, id="o3", subscription_id="sub_other")
    assert open_renewal(sub, [paid, older_open, open_, other_sub]) == open_
    assert open_renewal(sub, [paid]) is None
    assert open_renewal(attrs.evolve(sub, status=SubscriptionStatus.ACTIVE), [open_]) is None


def test_when_the_charge_failed() -> None:
    order = sample_order("b1", BASIC, EPOCH, "o2", "sub_1")
    failed = [Payment(f"p{i}", "o2", "b1", order.total, PaymentStatus.FAILED,
                      EPOCH + timedelta(hours=i)) for i in (1, 3)]
    ok = Payment("p9", "o2", "b1", order.total, PaymentStatus.SUCCEEDED,
                 EPOCH + timedelta(hours=9))
    assert failed_at(order, [*failed, ok]) == EPOCH + timedelta(hours=3)
    assert failed_at(order, []) == EPOCH


def test_a_paid_renewal_makes_a_past_due_subscription_active() -> None:
    sub = sample_subscription("b1", BASIC, status=SubscriptionStatus.PAST_DUE)
    open_ = attrs.evolve(sample_order("b1", BASIC, EPOCH, "o2", sub.id),
                         status=OrderStatus.PENDING)
    assert recovered(sub, [open_]) == sub  # still owes
    back = recovered(sub, [attrs.evolve(open_, status=OrderStatus.COMPLETED)])
    assert back.status is SubscriptionStatus.ACTIVE
    assert back.current_period_end == sub.current_period_end
    canceling = attrs.evolve(sub, status=SubscriptionStatus.CANCELING)
    assert recovered(canceling, []) == canceling
