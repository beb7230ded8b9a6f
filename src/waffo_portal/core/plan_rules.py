"""The rule every stored plan obeys, whichever way it is saved.

Each store's ``save_plan`` (and the bulk ``save_plans``) calls :func:`check_plan_price`
before it writes, so a plan with a negative price never reaches a renewal, whose charge
would otherwise send it to the gateway. ``Plan`` itself stays constructible with any
price: the sync API builds such records to report its own ``sync.amount_negative``.
"""

from __future__ import annotations

from collections.abc import Iterable

from .exceptions import ValidationError
from .models import Plan


def check_plan_price(plan: Plan) -> None:
    """Refuse a negative price; zero is allowed (a free plan)."""
    if plan.price.amount < 0:
        raise ValidationError({"price": "plan.price_negative"})


def check_plan_prices(plans: Iterable[Plan]) -> None:
    """:func:`check_plan_price` for each, all before the first is written."""
    for plan in plans:
        check_plan_price(plan)
