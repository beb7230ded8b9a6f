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
from fractions import Fraction

import attrs

from .exceptions import ValidationError
from .models import BillingPeriod, Plan
from .money import Money
from .proration import is_upgrade


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


def change_direction(current: Plan, other: Plan) -> str:
    """"upgrade" (dearer per month: charged now, prorated), "downgrade" (cheaper: from
    the period end) or "switch" (the same price per month)."""
    if is_upgrade(current, other):
        return "upgrade"
    return "downgrade" if is_upgrade(other, current) else "switch"


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
