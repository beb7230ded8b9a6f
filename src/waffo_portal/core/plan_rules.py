"""The rule every stored plan obeys, whichever way it is saved, and how plans compare
with each other in a plan picker (per month, the yearly saving).

Each store's ``save_plan`` (and the bulk ``save_plans``) calls :func:`check_plan_price`
before it writes, so a plan with a negative price never reaches a renewal, whose charge
would otherwise send it to the gateway. ``Plan`` itself stays constructible with any
price: the sync API builds such records to report its own ``sync.amount_negative``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from fractions import Fraction

import attrs

from .exceptions import PlanChangeNotAllowed, ValidationError
from .models import BillingPeriod, Plan, Subscription
from .money import Money
from .proration import ChangeKind, is_upgrade, quote_plan_change


def check_plan_price(plan: Plan) -> None:
    """Refuse a negative price; zero is allowed (a free plan)."""
    if plan.price.amount < 0:
        raise ValidationError({"price": "plan.price_negative"})


def check_plan_prices(plans: Iterable[Plan]) -> None:
    """:func:`check_plan_price` for each, all before the first is written."""
    for plan in plans:
        check_plan_price(plan)


# How a plan picker compares plans: by price per nominal month (a yearly price / 12),
# the same per-time rule the proration uses to decide what is charged now.
_NOMINAL_MONTH = BillingPeriod.MONTHLY.nominal_days
_PERIOD_WORDS = frozenset({"monthly", "month", "yearly", "year", "annual", "annually"})


def price_per_month(plan: Plan) -> Fraction:
    """The plan's price spread over a nominal month, in minor units (exact)."""
    return plan.price_per_day() * _NOMINAL_MONTH


def change_direction(subscription: Subscription, current: Plan, other: Plan,
                     now: datetime) -> str:
    """How a plan picker labels a change: "upgrade" (dearer per month), "downgrade"
    (cheaper) or "switch" (the same price per month) — and "later" for a dearer plan that
    the proration nevertheless applies at the period end (a period switch whose credit
    exceeds the new price). The timing comes from :func:`quote_plan_change`, the one rule,
    so the label never promises what the review page then contradicts."""
    if not is_upgrade(current, other):
        return "downgrade" if is_upgrade(other, current) else "switch"
    try:
        kind = quote_plan_change(subscription, current, other, now).kind
    except (PlanChangeNotAllowed, ValidationError):
        return "upgrade"  # refused at review time, with its own message
    return "later" if kind is ChangeKind.DOWNGRADE else "upgrade"


def _tier(text: str) -> tuple[str, ...]:
    # "pro-yearly-usd" and "pro-usd", "Pro (yearly)" and "Pro": one tier, two periods.
    return tuple(w for w in re.split(r"[\W_]+", text.casefold()) if w and w not in _PERIOD_WORDS)


def monthly_counterpart(yearly: Plan, plans: Iterable[Plan]) -> Plan | None:
    """The monthly plan of the same tier as ``yearly`` (same group and currency, and the
    same id or name once the period words are left out), if there is one."""
    for plan in plans:
        if (plan.period is BillingPeriod.MONTHLY and plan.product_group == yearly.product_group
                and plan.price.currency == yearly.price.currency
                and (_tier(plan.id) == _tier(yearly.id)
                     or _tier(plan.name) == _tier(yearly.name))):
            return plan
    return None


@attrs.frozen
class YearlySaving:
    amount: Money  # 12 monthly payments minus the yearly price
    share: Fraction  # of the 12 monthly payments, e.g. 1/6


def yearly_saving(yearly: Plan, monthly: Plan) -> YearlySaving | None:
    """What paying yearly saves against twelve months of ``monthly``; None if nothing."""
    twelve = monthly.price.amount * 12
    saved = twelve - yearly.price.amount
    if yearly.period is not BillingPeriod.YEARLY or twelve <= 0 or saved <= 0:
        return None
    return YearlySaving(Money(saved, yearly.price.currency), Fraction(saved, twelve))
