"""Tax arithmetic on money amounts (pure)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from .money import Money


def inclusive_tax(total: Money, rate_percent: Decimal) -> Money:
    """The tax contained in a tax-inclusive total, rounded half-to-even."""
    rate = Fraction(rate_percent) / 100
    return Money.from_fraction(total.amount * rate / (1 + rate), total.currency)
