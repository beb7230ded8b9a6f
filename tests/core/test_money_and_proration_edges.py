"""Money comparisons and proration at their boundaries; the exact errors of each rule."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from waffo_portal.core.exceptions import PlanChangeNotAllowed, ValidationError
from waffo_portal.core.models import BillingPeriod, Plan, SubscriptionStatus
from waffo_portal.core.money import CurrencyMismatch, Money
from waffo_portal.core.proration import ChangeKind, quote_plan_change, remaining_fraction
from waffo_portal.testing.factories import EPOCH, sample_subscription


def usd(cents: int) -> Money:
    return Money(cents, "USD")


def test_comparisons_at_equality_and_across_currencies() -> None:
    five, six = usd(500), usd(600)
    assert not five < usd(500) and five < six
    assert five <= usd(500) and not six <= five
    assert not five > usd(500) and six > five
    assert five >= usd(500) and not five >= six
    for compare in (five.__lt__, five.__le__, five.__gt__, five.__ge__):
        with pytest.raises(CurrencyMismatch) as mixed:
            compare(Money(500, "EUR"))
        assert (mixed.value.left, mixed.value.right) == ("USD", "EUR")
        assert str(mixed.value) == "Cannot combine USD with EUR"


def test_only_zero_is_falsy_and_english_is_the_default_format() -> None:
    assert bool(usd(1)) and bool(usd(-1)) and not bool(usd(0))
    assert usd(123456).format() == usd(123456).format("en") == "$1,234.56"


def test_a_period_of_one_second_prorates_and_one_of_none_is_refused() -> None:
    assert remaining_fraction(EPOCH, EPOCH + timedelta(seconds=1), EPOCH) == 1
    assert remaining_fraction(EPOCH, EPOCH + timedelta(seconds=1),
                              EPOCH + timedelta(seconds=1)) == 0
    for end in (EPOCH, EPOCH - timedelta(seconds=5)):
        with pytest.raises(ValueError, match=r"^period must have a positive length$"):
            remaining_fraction(EPOCH, end, EPOCH)


MONTHLY = Plan("m", "Monthly", "g", usd(3000), BillingPeriod.MONTHLY)
WEEKLY = Plan("w", "Weekly", "g", usd(1500), BillingPeriod.WEEKLY)


def test_an_upgrade_whose_credit_equals_the_new_price_is_still_an_upgrade() -> None:
    subscription = attrs.evolve(sample_subscription("b1", MONTHLY),
                                current_period_end=EPOCH + timedelta(days=30))
    half_way = EPOCH + timedelta(days=15)
    quote = quote_plan_change(subscription, MONTHLY, WEEKLY, half_way)
    assert quote.credit == WEEKLY.price  # 3000 x 1/2
    assert (quote.kind, quote.amount_due, quote.subscription_id) == (
        ChangeKind.UPGRADE, usd(0), subscription.id)


@pytest.mark.parametrize(("new", "key"), [
    (MONTHLY, "plan.already_current"),
    (attrs.evolve(WEEKLY, product_group="other"), "plan.not_replaceable"),
    (attrs.evolve(WEEKLY, price=Money(1500, "EUR")), "plan.other_currency"),
])
def test_each_refused_target_plan_names_plan_id(new: Plan, key: str) -> None:
    subscription = sample_subscription("b1", MONTHLY)
    with pytest.raises(ValidationError) as refused:
        quote_plan_change(subscription, MONTHLY, new, EPOCH + timedelta(days=1))
    assert refused.value.keys == {"plan_id": key}


@pytest.mark.parametrize(("status", "key", "at"), [
    (SubscriptionStatus.PAST_DUE, "plan.past_due", 1),
    (SubscriptionStatus.CANCELING, "plan.canceling", 1),
    (SubscriptionStatus.EXPIRED, "plan.ended", 1),
    (SubscriptionStatus.CANCELED, "plan.ended", 1),
    (SubscriptionStatus.ACTIVE, "plan.period_not_open", 40),
])
def test_each_refused_state_names_the_subscription_and_its_status(
        status: SubscriptionStatus, key: str, at: int) -> None:
    subscription = sample_subscription("b1", MONTHLY, status=status, subscription_id="sub_9")
    with pytest.raises(PlanChangeNotAllowed) as refused:
        quote_plan_change(subscription, MONTHLY, WEEKLY, EPOCH + timedelta(days=at))
    assert refused.value.key == key
    assert dict(refused.value.context) == {"subscription_id": "sub_9", "status": status.value}
