"""Tax on the orders the portal itself makes (pure): which rate, which name, which sums.

The default policy, :class:`RateTablePolicy`, is the EU's rule for digital services
with the merchant's own rate table:

- an EU business buyer with a valid VAT id of another member state than the seller's:
  reverse charge, 0 % and the note (VAT Directive art. 196);
- everyone else in the EU (domestic businesses, all consumers): the rate of the buyer's
  member state, which the table must name (one-stop shop);
- outside the EU: the table's rate for the buyer's country, else its ``"*"`` rate.

Rates are never guessed: :meth:`RateTablePolicy.problems` lists every rate the table
lacks, and the portal refuses to start with any missing.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from types import MappingProxyType
from typing import Final

import attrs

from .models import BillingDetails
from .money import Money
from .tax_ids import EU_VAT_PREFIXES, TaxIdProblem, normalize_tax_id

EU_MEMBER_STATES: Final = frozenset(EU_VAT_PREFIXES)
#: The key of a rate table's row for every country it does not name.
ELSEWHERE: Final = "*"
MAX_RATE: Final = Decimal(100)


class TaxKind(enum.StrEnum):
    """The tax's name where the buyer is taxed; documents translate it ("USt.", "TVA")."""

    VAT = "vat"
    GST = "gst"
    CONSUMPTION = "consumption"
    SALES = "sales"
    TAX = "tax"


_GST_COUNTRIES: Final = frozenset({"AU", "NZ", "SG", "IN", "CA", "MY"})
_VAT_COUNTRIES: Final = EU_MEMBER_STATES | {"GB", "CH", "NO", "IS", "LI", "TR", "AE", "SA",
                                            "ZA", "MX", "TH", "VN", "ID", "KR", "CN", "TW",
                                            "RU", "UA", "PH", "EG", "BR", "AR", "CL", "CO"}


def tax_kind(country: str) -> TaxKind:
    """What the tax of ``country`` is called (an unknown or empty country: plain "tax")."""
    code = country.upper()
    if code == "JP":
        return TaxKind.CONSUMPTION
    if code == "US":
        return TaxKind.SALES
    if code in _GST_COUNTRIES:
        return TaxKind.GST
    return TaxKind.VAT if code in _VAT_COUNTRIES else TaxKind.TAX


@attrs.frozen
class TaxTreatment:
    """The tax one order gets: a percent rate, and whether the buyer reverse-charges it
    (then the rate is 0). ``country`` is where the tax is due, which names it."""

    rate: Decimal
    country: str
    reverse_charge: bool = False

    def __attrs_post_init__(self) -> None:
        if not Decimal(0) <= self.rate < MAX_RATE:
            raise ValueError(f"tax rate {self.rate} must be from 0 to below 100 percent")
        if self.reverse_charge and self.rate != 0:
            raise ValueError("a reverse-charged order carries no tax")

    @property
    def kind(self) -> TaxKind:
        return tax_kind(self.country)


@attrs.frozen
class OrderSums:
    subtotal: Money
    tax: Money
    total: Money


def sums_from_gross(total: Money, treatment: TaxTreatment) -> OrderSums:
    """Split a tax-inclusive amount: the tax it contains, rounded half to even, and the
    rest. The lines of such an order add up to ``total``."""
    tax = inclusive_tax(total, treatment.rate)
    return OrderSums(total - tax, tax, total)


def inclusive_tax(total: Money, rate_percent: Decimal) -> Money:
    """The tax contained in a tax-inclusive total, rounded half-to-even."""
    rate = Fraction(rate_percent) / 100
    return Money.from_fraction(total.amount * rate / (1 + rate), total.currency)


def valid_vat_id(details: BillingDetails) -> bool:
    """A business's VAT id that passes its country's checks (format and check digits;
    never an online lookup, so billing does not depend on a tax office being up)."""
    if not (details.is_business and details.tax_id.strip() and details.country):
        return False
    try:
        normalize_tax_id(details.country.upper(), details.tax_id)
    except TaxIdProblem:
        return False
    return True


def parse_rates(table: Mapping[str, object]) -> Mapping[str, Decimal]:
    """A settings table (``{"DE": "19", "*": 0}``) as exact percents by upper-case code;
    ValueError names the first bad row. Floats are refused: 0.1 is not exactly 0.1."""
    rates: dict[str, Decimal] = {}
    for key, value in table.items():
        code = str(key).strip().upper()
        if code != ELSEWHERE and not (len(code) == 2 and code.isascii() and code.isalpha()):
            raise ValueError(f"tax_rates[{key!r}]: use an ISO 3166-1 alpha-2 code or '*'")
        if isinstance(value, float | bool):
            raise ValueError(f"tax_rates[{key!r}]: give the percent as a string or an "
                             f"integer ('8.875', 19), not {type(value).__name__}")
        try:
            rate = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"tax_rates[{key!r}]: {value!r} is not a number") from None
        if not (rate.is_finite() and Decimal(0) <= rate < MAX_RATE):
            raise ValueError(f"tax_rates[{key!r}]: a percent from 0 to below 100")
        rates[code] = rate
    return MappingProxyType(rates)


def seller_problems(name: str, address: tuple[str, ...], tax_id: str,
                    rates: Mapping[str, Decimal]) -> list[tuple[str, str]]:
    """What an invoice must say of the seller (VAT Directive art. 226: full name and
    address, and the VAT id of a seller that charges VAT), as (setting, message)."""
    found: list[tuple[str, str]] = []
    if not name.strip() or not any(line.strip() for line in address):
        found.append(("branding.address", "set the merchant's legal name and postal "
                                          "address: every invoice prints them"))
    if not tax_id.strip() and any(rate > 0 for rate in rates.values()):
        found.append(("branding.tax_id", "set the merchant's VAT or tax id: an invoice "
                                         "that charges tax must show it"))
    return found


class RateTablePolicy:
    """The default :class:`~waffo_portal.ports.TaxPolicy` (see the module docstring)."""

    def __init__(self, seller_country: str, rates: Mapping[str, Decimal]) -> None:
        self.seller_country = seller_country.strip().upper()
        self.rates = rates

    def problems(self) -> list[tuple[str, str]]:
        """Every missing piece, as (setting, message); empty when the table is complete."""
        found: list[tuple[str, str]] = []
        if not self.seller_country:
            found.append(("branding.country", "set the merchant's country (ISO 3166-1 "
                                              "alpha-2): it decides domestic tax and the "
                                              "EU reverse charge"))
        needed = {self.seller_country} if self.seller_country else set()
        if self.seller_country in EU_MEMBER_STATES:
            needed |= EU_MEMBER_STATES  # EU consumers pay their own state's rate (OSS)
        missing = sorted(needed - set(self.rates))
        if missing:
            found.append(("tax_rates", f"no rate for {', '.join(missing)}: every rate the "
                                       "portal may charge must be configured"))
        if ELSEWHERE not in self.rates:
            found.append(("tax_rates", "no '*' rate for the countries the table does not "
                                       "name (0 for exports, if that is your case)"))
        return found

    def treatment(self, details: BillingDetails | None, currency: str) -> TaxTreatment:
        """The tax of an order made now for a buyer with these billing details.
        Unknown details are taxed as at home (where the seller is)."""
        del currency  # the same rate whatever the currency; a custom policy may differ
        country = (details.country.upper() if details is not None else "") \
            or self.seller_country
        if (details is not None and country in EU_MEMBER_STATES
                and self.seller_country in EU_MEMBER_STATES
                and country != self.seller_country and valid_vat_id(details)):
            return TaxTreatment(Decimal(0), country, reverse_charge=True)
        rate = self.rates.get(country, self.rates.get(ELSEWHERE))
        if rate is None:  # refused at start-up; reached only by a policy built by hand
            raise LookupError(f"no tax rate for {country}")
        return TaxTreatment(rate, country)


__all__ = ["ELSEWHERE", "EU_MEMBER_STATES", "OrderSums", "RateTablePolicy", "TaxKind",
           "TaxTreatment", "inclusive_tax", "parse_rates", "seller_problems", "sums_from_gross",
           "tax_kind", "valid_vat_id"]
