"""Money as integer minor units of an ISO 4217 currency.

No floats anywhere: amounts are ``int`` minor units, conversions go through
``Decimal``/``Fraction``, and the number of decimals comes from CLDR via babel
(JPY 0, USD 2, KWD 3).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import cache, lru_cache

import attrs
from babel.numbers import format_currency, get_currency_precision, list_currencies

from .exceptions import ValidationError


@cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


@cache
def currency_exponent(currency: str) -> int:
    """Number of decimals of the currency's minor unit, from CLDR."""
    return int(get_currency_precision(currency))


def _check_currency(_instance: object, _attribute: object, value: str) -> None:
    if value not in _known_currencies():
        raise ValidationError({"currency": "money.currency_unknown"})


def _check_amount(_instance: object, _attribute: object, value: int) -> None:
    # bool is an int subclass; a True amount is always a bug.
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"Money amounts are integer minor units, got {type(value).__name__}")


@lru_cache(maxsize=4096)
def _format(amount: int, currency: str, locale: str) -> str:
    # A pure function of CLDR data, and babel takes ~15 us per call; pages repeat the
    # same few prices (a plan's price for every buyer), so the cache keeps hitting.
    value = Decimal(amount).scaleb(-currency_exponent(currency))
    return format_currency(value, currency, locale=locale.replace("-", "_"),
                           numbering_system="latn")


class CurrencyMismatch(ValueError):
    """Arithmetic or comparison between two different currencies."""

    def __init__(self, left: str, right: str) -> None:
        super().__init__(f"Cannot combine {left} with {right}")
        self.left = left
        self.right = right


@attrs.frozen(order=False)
class Money:
    """An amount in minor units (cents, yen, fils) of ``currency``."""

    amount: int = attrs.field(validator=_check_amount)
    """Minor units, an integer: ``Money(1999, "EUR")`` is 19.99 EUR, ``Money(500, "JPY")``
    is 500 yen. Never a float."""
    currency: str = attrs.field(validator=_check_currency)
    """ISO 4217 code, upper case. Combining two currencies raises ``CurrencyMismatch``."""

    @classmethod
    def zero(cls, currency: str) -> Money:
        """No money in ``currency``."""
        return cls(0, currency)

    @classmethod
    def from_decimal(cls, value: Decimal | str | int, currency: str) -> Money:
        """Build from major units; refuses values finer than the minor unit."""
        scaled = Decimal(value).scaleb(currency_exponent(currency))
        if scaled != scaled.to_integral_value():
            raise ValidationError({"amount": "money.too_many_decimals"})
        return cls(int(scaled), currency)

    @classmethod
    def from_fraction(cls, minor_units: Fraction, currency: str) -> Money:
        """Round an exact fraction of minor units half-to-even (banker's rounding)."""
        return cls(round(minor_units), currency)

    def to_decimal(self) -> Decimal:
        """The amount in major units (``Decimal("19.99")``)."""
        return Decimal(self.amount).scaleb(-currency_exponent(self.currency))

    def format(self, locale: str = "en") -> str:
        """Format for display in ``locale`` with Latin digits."""
        return _format(self.amount, self.currency, locale)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"Expected Money, got {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(self.currency, other.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: int) -> Money:
        if not isinstance(factor, int) or isinstance(factor, bool):
            raise TypeError("Money can only be multiplied by an integer")
        return Money(self.amount * factor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def __bool__(self) -> bool:
        return self.amount != 0

    def __str__(self) -> str:
        return f"{self.to_decimal()} {self.currency}"
