"""Billing details: validation and normalisation, plus the data the billing form needs.

:func:`validate_billing_details` turns a submitted form (``Mapping[str, str]``)
into a :class:`~waffo_portal.models.BillingDetails` or raises one
:class:`~waffo_portal.exceptions.ValidationError` holding *every* field's
problem. Messages are the English gettext msgids in :data:`MESSAGES`; the web
layer translates them. What each country's addresses need comes from Google's
address data (:mod:`.address_rules`). Everything here is pure: no network, no
clock; the packaged country data is read once and cached.
"""

from __future__ import annotations

import gettext
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Final

import attrs
import pycountry
from babel import Locale, UnknownLocaleError

from .address_rules import country_rules
from .exceptions import ValidationError
from .messages import MESSAGES as ALL_MESSAGES
from .models import BillingDetails, OrderStatus
from .money import Money
from .postal_codes import (
    MAX_POSTAL_CODE_LENGTH,
    in_subdivision,
    normalize_postal_code,
    postal_code_required,
    uses_postal_code,
)
from .tax_ids import MAX_TAX_ID_LENGTH, TaxIdProblem, normalize_tax_id, tax_id_display

# The problems this module can report, by short key ("too_long"); each is the message key
# "billing.<short key>" of core.messages, whose msgid translators see.
MESSAGES: Final[Mapping[str, str]] = MappingProxyType({
    key.removeprefix("billing."): msgid for key, msgid in ALL_MESSAGES.items()
    if key.startswith("billing.")
})

# Caps on the stripped values.
MAX_LENGTHS: Final[Mapping[str, int]] = MappingProxyType({
    "name": 200, "country": 64, "address_line1": 200, "address_line2": 200, "city": 100,
    "state": 64, "postal_code": MAX_POSTAL_CODE_LENGTH, "business_name": 200,
    "tax_id": MAX_TAX_ID_LENGTH,
})
TEXT_FIELDS: Final = ("name", "country", "address_line1", "address_line2", "city", "state",
                      "postal_code", "business_name", "tax_id")
# What counts only for a business: a consumer's (perhaps hidden) inputs are dropped.
BUSINESS_FIELDS: Final = frozenset({"business_name", "tax_id"})
# Free text, whose runs of spaces are collapsed; codes follow their own rules.
_FREE_TEXT: Final = frozenset({"name", "address_line1", "address_line2", "city",
                               "business_name"})
# Free text the country's addresses may need (address_rules) -> the problem when missing;
# the state and postal code are checked by their own rules below.
_REQUIRED_PROBLEMS: Final = MappingProxyType({"address_line1": "address_required",
                                              "city": "city_required"})

_TRUE, _FALSE = frozenset({"1", "true", "on", "yes"}), frozenset({"", "0", "false", "off", "no"})
# Bidirectional overrides could make an invoice show text other than what is stored.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BAD_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})  # C0/C1/DEL, surrogates, U+2028/9


def has_control_chars(value: str) -> bool:
    if value.isascii():  # the common case, in C: ASCII's unprintables are exactly Cc
        return not value.isprintable()
    return any(unicodedata.category(ch) in _BAD_CATEGORIES or ch in _BIDI_CONTROLS
               for ch in value)


def _basic_problem(field: str, raw: str) -> str | None:
    """Checks every field gets, before anything country-specific."""
    if has_control_chars(raw):
        return "control_chars"
    if len(raw.strip()) > MAX_LENGTHS[field]:
        return "too_long"
    return None


# pycountry's lookups are untyped; these wrappers keep the Any out of the rest.
def _is_country(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code) is not None


def _is_subdivision(code: str) -> bool:
    return pycountry.subdivisions.get(code=code) is not None  # type: ignore[no-untyped-call]


def _subdivision_records(country: str) -> list[Any]:
    return list(pycountry.subdivisions.get(country_code=country)  # type: ignore[no-untyped-call]
                or [])


def _country(value: str) -> tuple[str, str | None]:
    if not value:
        return "", "country_required"
    code = value.upper()
    if not (code.isascii() and code.isalpha()) or not _is_country(code):
        return "", "country_invalid"
    return code, None


@lru_cache(maxsize=512)
def _subdivision_index(country: str) -> tuple[frozenset[str], Mapping[str, str]]:
    """(codes, casefolded name -> code) of a country's ISO 3166-2 subdivisions."""
    subs = _subdivision_records(country)
    codes = frozenset(sub.code for sub in subs)
    by_name = {sub.name.casefold(): sub.code for sub in subs}
    return codes, MappingProxyType(by_name)


def _state(country: str, value: str) -> tuple[str, str | None]:
    if not value:
        return "", ("state_required" if needs_state(country) else None)
    codes, by_name = _subdivision_index(country)
    if not codes:
        return "", "state_not_used"
    upper = value.upper()
    # "CA" typed for the US means "US-CA"; the stored form is always the full code.
    code = upper if "-" in upper else f"{country}-{upper}"
    if code in codes:
        return code, None
    if value.casefold() in by_name:
        return by_name[value.casefold()], None
    if "-" in upper and _is_subdivision(upper):
        return "", "state_other_country"
    return "", "state_invalid"


def _postal_code(country: str, value: str, state: str) -> tuple[str, str | None]:
    if not value:
        return "", ("postal_code_required" if postal_code_required(country) else None)
    if not uses_postal_code(country):  # it would never be printed on the invoice
        return "", "postal_code_not_used"
    normalized = normalize_postal_code(country, value)
    if normalized is None:
        return "", "postal_code_invalid"
    if state and not in_subdivision(country, normalized, state):
        return "", "postal_code_state_mismatch"
    return normalized, None


def _tax_id(country: str, value: str) -> tuple[str, str | None]:
    if not value:
        return "", None
    try:
        return normalize_tax_id(country, value), None
    except TaxIdProblem as problem:
        return "", problem.key


def _is_business(value: str) -> tuple[bool, str | None]:
    flag = value.strip().lower()
    if flag in _TRUE:
        return True, None
    if flag in _FALSE:
        return False, None
    return False, "is_business_invalid"


def _clean(field: str, raw: str) -> str:
    value = unicodedata.normalize("NFC", raw.strip())
    return " ".join(value.split()) if field in _FREE_TEXT else value


def _text_values(raw: Mapping[str, str], fields: tuple[str, ...],
                 problems: dict[str, str]) -> dict[str, str]:
    """Each field stripped and cleaned, or "" where it fails the basic checks."""
    values: dict[str, str] = {}
    for field in fields:
        text = raw.get(field, "")
        problem = _basic_problem(field, text)
        if problem is not None:
            problems[field] = problem
        # A refused value is never used, least of all as the country for other checks.
        values[field] = "" if problem is not None else _clean(field, text)
    return values


def _country_checks(values: dict[str, str], problems: dict[str, str]) -> None:
    """What depends on the (valid) country: its subdivisions, postal codes, tax ids and
    the address fields it needs."""
    country = values["country"]
    required = required_fields(country)
    for field in _REQUIRED_PROBLEMS:
        if field in required and not values[field] and field not in problems:
            problems[field] = _REQUIRED_PROBLEMS[field]
    if "state" not in problems:
        values["state"], problem = _state(country, values["state"])
        if problem is not None:
            problems["state"] = problem
    if "postal_code" not in problems:
        state = "" if "state" in problems else values["state"]
        values["postal_code"], problem = _postal_code(country, values["postal_code"], state)
        if problem is not None:
            problems["postal_code"] = problem
    if "tax_id" not in problems:
        values["tax_id"], problem = _tax_id(country, values["tax_id"])
        if problem is not None:
            problems["tax_id"] = problem


def validate_billing_details(raw: Mapping[str, str]) -> BillingDetails:
    """Validate and normalise a billing form; unknown keys are ignored.

    Raises ValidationError mapping each bad field to a MESSAGES value. Nothing
    is checked against the country when the country itself is missing or wrong.
    The business name and tax id count only for a business; a consumer's are
    neither checked nor kept.
    """
    problems: dict[str, str] = {}
    is_business, problem = _is_business(raw.get("is_business", ""))
    if problem is not None:
        problems["is_business"] = problem
    # An unreadable flag still gets the business fields checked: every problem at once.
    fields = tuple(f for f in TEXT_FIELDS
                   if f not in BUSINESS_FIELDS or is_business or problem is not None)
    values = dict.fromkeys(BUSINESS_FIELDS, "") | _text_values(raw, fields, problems)
    if "country" not in problems:
        values["country"], problem = _country(values["country"])
        if problem is not None:
            problems["country"] = problem
    if values["country"]:
        _country_checks(values, problems)
    if not values["name"] and "name" not in problems:
        problems["name"] = "name_required"
    if is_business and not values["business_name"] and "business_name" not in problems:
        problems["business_name"] = "business_name_required"
    if problems:
        raise ValidationError({field: f"billing.{key}" for field, key in problems.items()})
    if not is_business:
        values["business_name"] = values["tax_id"] = ""
    return BillingDetails(is_business=is_business, **values)


def details_for_audit(details: BillingDetails | None) -> dict[str, str]:
    """Billing details as audit/event strings, with the tax id masked."""
    if details is None:
        return {}
    return {"name": details.name, "country": details.country,
            "address_line1": details.address_line1, "address_line2": details.address_line2,
            "city": details.city, "state": details.state,
            "postal_code": details.postal_code, "business_name": details.business_name,
            "tax_id": tax_id_display(details.tax_id),
            "is_business": "true" if details.is_business else "false"}


# Form data -----------------------------------------------------------------

def _locale(name: str | None) -> Locale:
    try:
        return Locale.parse((name or "en").replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return Locale.parse("en")


def _collation_key(name: str) -> str:
    # Not full UCA collation, but "Österreich" sorts with O and "Éire" with E.
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@lru_cache(maxsize=64)
def _countries(locale: str) -> tuple[tuple[str, str], ...]:
    names = Locale.parse(locale).territories
    pairs = [(c.alpha_2, names.get(c.alpha_2, c.name)) for c in pycountry.countries]
    return tuple(sorted(pairs, key=lambda pair: (_collation_key(pair[1]), pair[0])))


def countries(locale: str | None = "en") -> list[tuple[str, str]]:
    """(ISO code, name in ``locale``) of every country, sorted by name for a select."""
    return list(_countries(str(_locale(locale))))


@lru_cache(maxsize=1024)
def _subdivisions(country: str, language: str) -> tuple[tuple[str, str], ...]:
    translation = gettext.translation("iso3166-2", pycountry.LOCALES_DIR,
                                      languages=[language], fallback=True)
    subs = _subdivision_records(country)
    pairs = [(sub.code, translation.gettext(sub.name)) for sub in subs]
    return tuple(sorted(pairs, key=lambda pair: (_collation_key(pair[1]), pair[0])))


def country_name(code: str, locale: str | None = "en") -> str:
    """The country's name in ``locale``; the code itself if unknown."""
    return dict(_countries(str(_locale(locale)))).get(code, code)


def subdivision_name(code: str, locale: str | None = None) -> str:
    """An ISO 3166-2 subdivision's name ("US-CA" -> "California"); the code if unknown."""
    return dict(subdivisions(code[:2], locale)).get(code, code)


def subdivisions(country: str, locale: str | None = None) -> list[tuple[str, str]]:
    """(ISO 3166-2 code, name) of a country's subdivisions, sorted by name.

    Names are translated with pycountry's catalogues when ``locale`` is given;
    an unknown country gives an empty list.
    """
    code = country.strip().upper()
    if len(code) != 2 or not code.isalpha():
        return []
    return list(_subdivisions(code, _locale(locale).language))


@lru_cache(maxsize=512)
def required_fields(country: str) -> frozenset[str]:
    """The BillingDetails fields a billing form must fill for ``country`` (ISO code, any
    case), from Google's address data: street, city, postal code and state where the
    country's addresses need them, and always the name and country.

    A state is required only where pycountry also lists subdivisions to choose from:
    the stored form is an ISO 3166-2 code, so a region Google knows by name alone (Hong
    Kong's districts) cannot be required."""
    code = country.strip().upper()
    if not _is_country(code):
        return frozenset({"name", "country"})
    required = set(country_rules(code).required) | {"name", "country"}
    if not _subdivision_index(code)[0]:
        required.discard("state")
    return frozenset(required)


def needs_state(country: str) -> bool:
    return "state" in required_fields(country)


def needs_postal_code(country: str) -> bool:
    return postal_code_required(country.strip().upper())


# Tax information view -------------------------------------------------------

TAX_SUMMARY_STATUSES: Final = frozenset({OrderStatus.COMPLETED, OrderStatus.REFUNDED})


@attrs.frozen
class TaxLine:
    """One order as shown under "tax information" (the buyer's own data, unmasked)."""

    order_id: str
    created_at: datetime
    status: OrderStatus
    subtotal: Money
    tax_rate: Decimal
    tax: Money
    total: Money
    tax_note: str
    country: str
    tax_id: str


__all__ = [
    "BUSINESS_FIELDS", "MAX_LENGTHS", "MESSAGES", "TaxLine", "countries", "details_for_audit",
    "has_control_chars", "needs_postal_code", "needs_state", "required_fields", "subdivisions",
    "tax_id_display", "uses_postal_code", "validate_billing_details",
]
