"""Pure plan-change rules: no I/O, no clock, no store.

Proration is by the second over the current period:

* credit  = unused part of the old price,
* charge  = remaining part of the new price (or the whole new price when the
  billing period changes and a new period starts now),
* each line rounded to the currency's minor unit half-to-even,
* amount due now = charge - credit.

An *upgrade* (higher price per unit of time) is charged and applied now. A
downgrade or an equal price is free now and scheduled for the period end. A
period change whose unused credit would exceed the new plan's whole price is
also scheduled for the period end: we never refund or carry a balance.

Trials: nothing has been paid during a trial, so any change applies at once,
costs nothing and keeps the trial end; the first charge is the new plan's price.
"""

from __future__ import annotations

import enum
from datetime import datetime
from fractions import Fraction

import attrs

from .exceptions import PlanChangeNotAllowed, ValidationError
from .models import Plan, Subscription, SubscriptionStatus
from .money import Money


class ChangeKind(enum.StrEnum):
    UPGRADE = "upgrade"  # charged and applied now
    DOWNGRADE = "downgrade"  # applied at period end, nothing charged
    TRIAL_SWITCH = "trial_switch"  # applied now during a trial, nothing charged


@attrs.frozen
class PlanChangeQuote:
    """What a plan change costs and when it takes effect."""

    subscription_id: str
    current_plan: Plan
    new_plan: Plan
    kind: ChangeKind
    quoted_at: datetime
    credit: Money  # unused value of the current plan (0 unless upgrading)
    charge: Money  # value of the new plan for the time it will run now
    amount_due: Money  # charge - credit; what is charged immediately
    effective_at: datetime
    period_start: datetime  # the period the subscription is in after the change
    period_end: datetime
    next_billing_at: datetime
    next_billing_amount: Money

    @property
    def charges_now(self) -> bool:
        return self.amount_due.amount > 0


def remaining_fraction(start: datetime, end: datetime, now: datetime) -> Fraction:
    """Share of the period still unused at ``now``, exact to the second."""
    total = int((end - start).total_seconds())
    if total <= 0:
        raise ValueError("period must have a positive length")
    left = int((end - now).total_seconds())
    return Fraction(min(max(left, 0), total), total)


def prorate(price: Money, share: Fraction) -> Money:
    return Money.from_fraction(price.amount * share, price.currency)


def is_upgrade(current: Plan, new: Plan) -> bool:
    return new.price_per_day() > current.price_per_day()


def _check_allowed(subscription: Subscription, current: Plan, new: Plan, now: datetime) -> None:
    if new.id == current.id:
        raise ValidationError({"plan_id": "plan.already_current"})
    if new.product_group != current.product_group:
        raise ValidationError({"plan_id": "plan.not_replaceable"})
    if new.price.currency != current.price.currency:
        raise ValidationError({"plan_id": "plan.other_currency"})
    status = subscription.status
    if status is SubscriptionStatus.PAST_DUE:
        raise PlanChangeNotAllowed(key="plan.past_due",
            subscription_id=subscription.id, status=status.value,
        )
    if status is SubscriptionStatus.CANCELING:
        raise PlanChangeNotAllowed(key="plan.canceling",
            subscription_id=subscription.id, status=status.value,
        )
    if not status.has_access:
        raise PlanChangeNotAllowed(key="plan.ended", subscription_id=subscription.id,
                                   status=status.value)
    if not subscription.current_period_start <= now <= subscription.current_period_end:
        raise PlanChangeNotAllowed(key="plan.period_not_open",
            subscription_id=subscription.id, status=status.value,
        )


def quote_plan_change(
    subscription: Subscription, current: Plan, new: Plan, now: datetime
) -> PlanChangeQuote:
    """Price a change from ``current`` to ``new`` at ``now`` (pure)."""
    _check_allowed(subscription, current, new, now)
    start, end = subscription.current_period_start, subscription.current_period_end
    zero = Money.zero(new.price.currency)

    def quote(kind: ChangeKind, credit: Money, charge: Money, effective_at: datetime,
              period: tuple[datetime, datetime]) -> PlanChangeQuote:
        return PlanChangeQuote(
            subscription_id=subscription.id, current_plan=current, new_plan=new, kind=kind,
            quoted_at=now, credit=credit, charge=charge, amount_due=charge - credit,
            effective_at=effective_at, period_start=period[0], period_end=period[1],
            next_billing_at=period[1], next_billing_amount=new.price,
        )

    if subscription.status is SubscriptionStatus.TRIALING:
        return quote(ChangeKind.TRIAL_SWITCH, zero, zero, now, (start, end))

    share = remaining_fraction(start, end, now)
    credit = prorate(current.price, share)
    new_period = new.period is not current.period
    if is_upgrade(current, new) and not (new_period and credit > new.price):
        if new_period:
            charge, period_start, period_end = new.price, now, new.period.advance(now)
        else:
            charge, period_start, period_end = prorate(new.price, share), start, end
        return quote(ChangeKind.UPGRADE, credit, charge, now, (period_start, period_end))
    return quote(ChangeKind.DOWNGRADE, zero, zero, end, (start, end))
