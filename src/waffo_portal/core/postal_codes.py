"""Postal codes: one pattern per country for the common ones, normalised for display.

A pattern matches the *compact* code (upper-case, spaces and hyphens removed),
so "94107 1234", "941071234" and "94107-1234" are the same US code; the stored
form puts the country's usual separator back. Countries without a pattern get a
light sanity check only, and the field is optional there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import MappingProxyType

import attrs

MAX_POSTAL_CODE_LENGTH = 16
_GENERIC = re.compile(r"[A-Z0-9][A-Z0-9 -]*", re.ASCII)


def _plain(value: str) -> str:
    return value


def _split_at(index: int, sep: str) -> Callable[[str], str]:
    def fmt(value: str) -> str:
        return value[:index] + sep + value[index:]
    return fmt


def _space_before_last3(value: str) -> str:
    return value[:-3] + " " + value[-3:]


def _extension(base: int) -> Callable[[str], str]:
    """ZIP+4 style: a dash before an optional extension after ``base`` digits."""
    def fmt(value: str) -> str:
        return value if len(value) == base else value[:base] + "-" + value[base:]
    return fmt


def _with_country(prefix: str, digits: int) -> Callable[[str], str]:
    """Baltic style "LV-1234": the country letters are part of the code."""
    def fmt(value: str) -> str:
        return f"{prefix}-{value[-digits:]}"
    return fmt


@attrs.frozen
class PostalRule:
    pattern: re.Pattern[str]
    fmt: Callable[[str], str] = _plain
    required: bool = True


def _r(pattern: str, fmt: Callable[[str], str] = _plain, *, required: bool = True) -> PostalRule:
    # ASCII: \d must not accept Arabic-Indic or full-width digits on an invoice.
    return PostalRule(re.compile(pattern, re.ASCII), fmt, required)


_D4, _D5, _D6 = _r(r"\d{4}"), _r(r"\d{5}"), _r(r"\d{6}")
_EIRCODE = r"(?:[AC-FHKNPRTV-Y]\d{2}|D6W)[0-9AC-FHKNPRTV-Y]{4}"

POSTAL_RULES: Mapping[str, PostalRule] = MappingProxyType({
    "US": _r(r"\d{5}(?:\d{4})?", _extension(5)),
    "CA": _r(r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\d[ABCEGHJ-NPRSTV-Z]\d", _split_at(3, " ")),
    "GB": _r(r"(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\d[A-Z]{2}", _space_before_last3),
    "IE": _r(_EIRCODE, _split_at(3, " "), required=False),
    "NL": _r(r"[1-9]\d{3}[A-Z]{2}", _split_at(4, " ")),
    "JP": _r(r"\d{7}", _split_at(3, "-")),
    "BR": _r(r"\d{8}", _split_at(5, "-")),
    "PL": _r(r"\d{5}", _split_at(2, "-")),
    "PT": _r(r"\d{7}", _split_at(4, "-")),
    "SE": _r(r"[1-9]\d{4}", _split_at(3, " ")),
    "CZ": _r(r"[1-7]\d{4}", _split_at(3, " ")),
    "SK": _r(r"[089]\d{4}", _split_at(3, " ")),
    "GR": _r(r"[1-8]\d{4}", _split_at(3, " ")),
    "SA": _r(r"\d{5}(?:\d{4})?", _extension(5)),
    "LV": _r(r"(?:LV)?\d{4}", _with_country("LV", 4)),
    "LT": _r(r"(?:LT)?\d{5}", _with_country("LT", 5)),
    "ES": _r(r"(?:0[1-9]|[1-4]\d|5[0-2])\d{3}"),
    "IN": _r(r"[1-9]\d{5}"),
    "AR": _r(r"\d{4}|[A-HJ-NP-Z]\d{4}[A-Z]{3}"),
    "TW": _r(r"\d{3}(?:\d{2,3})?"),
    "IL": _r(r"\d{7}"),
    "CL": _r(r"\d{7}"),
    **dict.fromkeys(("AU", "AT", "BE", "BG", "CH", "CY", "DK", "HU", "LI", "LU", "NO", "NZ",
                     "PH", "SI", "ZA"), _D4),
    **dict.fromkeys(("DE", "FR", "IT", "KR", "TH", "ID", "MY", "TR", "FI", "HR", "EE", "MX",
                     "UA", "EG", "MA", "DZ", "PK"), _D5),
    **dict.fromkeys(("RU", "CN", "VN", "SG", "RO", "BY"), _D6),
})

# Countries that do not use postal codes: the web form may hide the field.
# (Anything typed there is kept after the generic check; a PO box number, say.)
NO_POSTAL_CODE = frozenset({
    "AE", "HK", "MO", "QA", "AG", "AO", "AW", "BF", "BI", "BJ", "BS", "BW", "BZ", "CD", "CF",
    "CG", "CI", "CK", "CM", "DJ", "DM", "ER", "FJ", "GA", "GD", "GH", "GM", "GQ", "GY", "KI",
    "KM", "KN", "KP", "LC", "ML", "MR", "MW", "NR", "NU", "RW", "SB", "SC", "SL", "SR", "ST",
    "SY", "TF", "TG", "TK", "TL", "TO", "TT", "TV", "UG", "VU", "YE", "ZW",
})


def postal_code_required(country: str) -> bool:
    rule = POSTAL_RULES.get(country)
    return rule is not None and rule.required


def uses_postal_code(country: str) -> bool:
    return country not in NO_POSTAL_CODE


def normalize_postal_code(country: str, value: str) -> str | None:
    """The stored form of a non-empty, stripped code, or None if it does not fit."""
    upper = " ".join(value.upper().split())
    rule = POSTAL_RULES.get(country)
    if rule is None:
        return upper if _GENERIC.fullmatch(upper) else None
    compact = upper.replace(" ", "").replace("-", "")
    if not rule.pattern.fullmatch(compact):
        return None
    return rule.fmt(compact)
