from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waffo_portal import (
    BillingPeriod,
    ChangeKind,
    Money,
    Plan,
    PlanChangeNotAllowed,
    Subscription,
    SubscriptionStatus,
    ValidationError,
    quote_plan_change,
)

START = datetime(2026, 3, 1, tzinfo=UTC)
THIRTY_DAYS = timedelta(days=30)


def plan(plan_id: str, amount: int, currency: str = "USD",
         period: BillingPeriod = BillingPeriod.MONTHLY, group: str = "app") -> Plan:
    return Plan(plan_id, plan_id.title(), group, Money(amount, currency), period)


def subscription(current: Plan, length: timedelta = THIRTY_DAYS,
                 status: SubscriptionStatus = SubscriptionStatus.ACTIVE) -> Subscription:
    return Subscription("sub", "buyer", current.id, status, START, START + length, START)


@pytest.mark.parametrize(("old", "new", "used", "credit", "charge", "due"), [
    # $19.99 -> $49.99 with 10.5 of 30 days used
    (plan("a", 1999), plan("b", 4999), timedelta(days=10, hours=12), 1299, 3249, 1950),
    # $5 -> $20 one day into a 30-day period
    (plan("a", 500), plan("b", 2000), timedelta(days=1), 483, 1933, 1450),
    # ¥1500 -> ¥4500, same point as the first example
    (plan("a", 1500, "JPY"), plan("b", 4500, "JPY"), timedelta(days=10, hours=12), 975, 2925,
     1950),
    # KWD 4.500 -> KWD 12.750 (three decimals), 7 of 30 days used: 23/30 remains
    (plan("a", 4500, "KWD"), plan("b", 12750, "KWD"), timedelta(days=7), 3450, 9775, 6325),
])
def test_worked_examples(old: Plan, new: Plan, used: timedelta, credit: int, charge: int,
                         due: int) -> None:
    quote = quote_plan_change(subscription(old), old, new, START + used)
    currency = new.price.currency
    assert quote.kind is ChangeKind.UPGRADE
    assert quote.credit == Money(credit, currency)
    assert quote.charge == Money(charge, currency)
    assert quote.amount_due == Money(due, currency)
    assert quote.effective_at == START + used
    assert quote.period_end == START + THIRTY_DAYS
    assert quote.next_billing_amount == new.price


def test_lines_round_half_to_even() -> None:
    # 250 * 1/2 = 125 exactly; 3 * 1/2 = 1.5 -> 2 ; 5 * 1/2 = 2.5 -> 2 (even)
    old, new = plan("a", 5), plan("b", 250)
    quote = quote_plan_change(subscription(old), old, new, START + THIRTY_DAYS / 2)
    assert quote.credit == Money(2, "USD")
    assert quote.charge == Money(125, "USD")


def test_downgrade_and_equal_price_wait_for_period_end() -> None:
    old = plan("pro", 2000)
    for new in (plan("basic", 500), plan("same", 2000)):
        quote = quote_plan_change(subscription(old), old, new, START + timedelta(days=3))
        assert quote.kind is ChangeKind.DOWNGRADE
        assert quote.amount_due == Money(0, "USD")
        assert quote.effective_at == START + THIRTY_DAYS
        assert quote.next_billing_amount == Money(new.price.amount, "USD")


def test_monthly_to_yearly_upgrade_starts_a_new_period_now() -> None:
    old = plan("monthly", 2000)
    new = plan("yearly", 30000, period=BillingPeriod.YEARLY)
    now = START + timedelta(days=10, hours=12)
    quote = quote_plan_change(subscription(old), old, new, now)
    assert quote.kind is ChangeKind.UPGRADE
    assert quote.credit == Money(1300, "USD")
    assert quote.charge == Money(30000, "USD")
    assert quote.amount_due == Money(28700, "USD")
    assert quote.period_start == now
    assert quote.period_end == datetime(2027, 3, 11, 12, tzinfo=UTC)


def test_cheaper_per_day_yearly_is_a_downgrade() -> None:
    old = plan("monthly", 2000)
    new = plan("yearly", 20000, period=BillingPeriod.YEARLY)  # 200/yr < 20*12
    quote = quote_plan_change(subscription(old), old, new, START + timedelta(days=1))
    assert quote.kind is ChangeKind.DOWNGRADE


def test_period_change_whose_credit_exceeds_the_new_price_is_scheduled() -> None:
    old = plan("yearly", 10000, period=BillingPeriod.YEARLY)
    new = plan("weekly", 500, period=BillingPeriod.WEEKLY)  # more per day than yearly
    sub = subscription(old, length=timedelta(days=365))
    quote = quote_plan_change(sub, old, new, START + timedelta(days=1))
    assert quote.kind is ChangeKind.DOWNGRADE
    assert quote.amount_due == Money(0, "USD")


def test_trial_switch_is_free_and_immediate() -> None:
    old, new = plan("a", 500), plan("b", 2000)
    sub = subscription(old, status=SubscriptionStatus.TRIALING)
    quote = quote_plan_change(sub, old, new, START + timedelta(days=2))
    assert quote.kind is ChangeKind.TRIAL_SWITCH
    assert quote.amount_due == Money(0, "USD")
    assert quote.effective_at == START + timedelta(days=2)
    assert quote.next_billing_amount == Money(2000, "USD")


@pytest.mark.parametrize("status", [SubscriptionStatus.PAST_DUE, SubscriptionStatus.CANCELING,
                                    SubscriptionStatus.CANCELED, SubscriptionStatus.EXPIRED])
def test_states_that_cannot_change_plan(status: SubscriptionStatus) -> None:
    old, new = plan("a", 500), plan("b", 2000)
    with pytest.raises(PlanChangeNotAllowed) as caught:
        quote_plan_change(subscription(old, status=status), old, new, START)
    assert caught.value.context["status"] == status.value


def test_past_due_message_is_clear() -> None:
    old, new = plan("a", 500), plan("b", 2000)
    with pytest.raises(PlanChangeNotAllowed, match="payment failed"):
        quote_plan_change(subscription(old, status=SubscriptionStatus.PAST_DUE), old, new, START)


def test_invalid_targets() -> None:
    old = plan("a", 500)
    with pytest.raises(ValidationError):
        quote_plan_change(subscription(old), old, old, START)
    with pytest.raises(ValidationError):
        quote_plan_change(subscription(old), old, plan("x", 900, group="other"), START)
    with pytest.raises(ValidationError):
        quote_plan_change(subscription(old), old, plan("e", 900, "EUR"), START)
    with pytest.raises(PlanChangeNotAllowed):  # period already over: renew first
        quote_plan_change(subscription(old), old, plan("b", 900), START + THIRTY_DAYS * 2)


prices = st.integers(min_value=1, max_value=10**9)
currencies = st.sampled_from(["USD", "JPY", "KWD", "EUR"])
lengths = st.integers(min_value=60, max_value=400 * 86400)


@given(prices, prices, currencies, lengths, st.floats(min_value=0, max_value=1))
def test_upgrade_due_is_never_negative_nor_above_the_new_price(
        a: int, b: int, currency: str, seconds: int, position: float) -> None:
    low, high = sorted((a, b))
    if low == high:
        high += 1
    old, new = plan("low", low, currency), plan("high", high, currency)
    length = timedelta(seconds=seconds)
    now = START + timedelta(seconds=int(seconds * position))
    quote = quote_plan_change(subscription(old, length), old, new, now)
    assert quote.kind is ChangeKind.UPGRADE
    assert 0 <= quote.amount_due.amount <= new.price.amount
    assert quote.amount_due == quote.charge - quote.credit


@given(prices, prices, currencies, lengths)
def test_due_is_zero_at_the_last_second(a: int, b: int, currency: str, seconds: int) -> None:
    low, high = sorted((a, b))
    old, new = plan("low", low, currency), plan("high", high + 1, currency)
    length = timedelta(seconds=seconds)
    quote = quote_plan_change(subscription(old, length), old, new, START + length)
    assert quote.amount_due == Money(0, currency)
