from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from waffo_portal import Money, ValidationError
from waffo_portal.core.money import CurrencyMismatch, currency_exponent


@pytest.mark.parametrize(("currency", "exponent"), [("JPY", 0), ("USD", 2), ("EUR", 2),
                                                    ("KWD", 3), ("BHD", 3)])
def test_exponent_comes_from_cldr(currency: str, exponent: int) -> None:
    assert currency_exponent(currency) == exponent


def test_from_decimal_is_exact_and_refuses_sub_minor_units() -> None:
    assert Money.from_decimal("19.99", "USD") == Money(1999, "USD")
    assert Money.from_decimal("1500", "JPY") == Money(1500, "JPY")
    assert Money.from_decimal("1.234", "KWD") == Money(1234, "KWD")
    with pytest.raises(ValidationError):
        Money.from_decimal("1.5", "JPY")
    with pytest.raises(ValidationError):
        Money.from_decimal("0.001", "USD")
    assert Money(1234, "KWD").to_decimal() == Decimal("1.234")


def test_floats_and_bools_are_refused() -> None:
    with pytest.raises(TypeError):
        Money(19.99, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True, "USD")
    with pytest.raises(TypeError):
        Money(100, "USD") * 1.5  # type: ignore[operator]


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(ValidationError):
        Money(1, "XYZ")


def test_arithmetic_across_currencies_is_an_error() -> None:
    with pytest.raises(CurrencyMismatch):
        Money(1, "USD") + Money(1, "EUR")
    with pytest.raises(CurrencyMismatch):
        _ = Money(1, "USD") < Money(1, "EUR")
    assert Money(150, "USD") - Money(50, "USD") == Money(100, "USD")
    assert -Money(5, "USD") == Money(-5, "USD")
    assert Money(3, "USD") * 3 == Money(9, "USD")


def test_fractions_round_half_to_even() -> None:
    assert Money.from_fraction(Fraction(5, 2), "USD") == Money(2, "USD")
    assert Money.from_fraction(Fraction(7, 2), "USD") == Money(4, "USD")
    assert Money.from_fraction(Fraction(-5, 2), "USD") == Money(-2, "USD")


@pytest.mark.parametrize(("money", "locale", "expected"), [
    (Money(1999, "USD"), "en", "$19.99"),
    (Money(1999, "EUR"), "de", "19,99\xa0€"),
    (Money(1500, "JPY"), "ja", "￥1,500"),
    (Money(1234, "KWD"), "en", "KWD1.234"),
])
def test_format_per_locale(money: Money, locale: str, expected: str) -> None:
    assert money.format(locale) == expected


def test_format_uses_latin_digits_in_arabic() -> None:
    formatted = Money(123456, "SAR").format("ar")
    assert "1,234.56" in formatted or "1.234,56" in formatted
    assert not any("\u0660" <= ch <= "\u0669" for ch in formatted)
