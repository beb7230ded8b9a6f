"""Tax identification numbers: which scheme each country uses, checked with python-stdnum.

Pure functions with no I/O (we never call the VIES or other online services: a
billing form must not depend on a tax office being up). Problems are reported
as keys of :data:`waffo_portal.billing.MESSAGES`, never as stdnum exceptions.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from functools import cache
from types import MappingProxyType
from typing import Protocol, cast

from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat

MAX_TAX_ID_LENGTH = 32


class _Scheme(Protocol):
    def validate(self, number: str) -> str: ...


# EU member states (ISO 3166-1 code -> VAT prefix). Greece's VAT prefix is "EL";
# Northern Ireland's "XI" numbers are GB numbers and handled under GB.
EU_VAT_PREFIXES: Mapping[str, str] = MappingProxyType({
    cc.upper(): ("EL" if cc == "gr" else cc.upper())
    for cc in eu_vat.MEMBER_STATES if cc != "xi"
})

# Other countries: stdnum modules tried in order; the first that accepts the
# number wins. Businesses are the ones asking for tax invoices, so each list
# starts with the business number (where a personal one is common, it follows).
NATIONAL_SCHEMES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "GB": ("gb.vat",),
    "CH": ("ch.vat", "ch.uid"),
    "NO": ("no.mva", "no.orgnr"),
    "AU": ("au.abn",),
    "NZ": ("nz.ird",),
    "IN": ("in_.gstin",),
    "BR": ("br.cnpj", "br.cpf"),
    "JP": ("jp.cn",),
    "KR": ("kr.brn",),
    "CN": ("cn.uscc",),
    "TR": ("tr.vkn",),
    "RU": ("ru.inn",),
    "MX": ("mx.rfc",),
    "CA": ("ca.bn",),
    "US": ("us.ein",),
    "SG": ("sg.uen",),
    "ZA": ("za.tin",),
    "AR": ("ar.cuit",),
    "CL": ("cl.rut",),
    "CO": ("co.nit",),
})

# South African VAT numbers are 10 digits starting with 4; stdnum has no module
# for them (za.tin is the income-tax number), so they are checked by shape only.
_ZA_VAT = re.compile(r"4\d{9}", re.ASCII)
# Prefixes a buyer may type in front of a number; one for another country is refused.
_KNOWN_PREFIXES = frozenset(EU_VAT_PREFIXES.values()) | {"GR", "GB", "XI", "CH", "NO"}
_GENERIC_ALLOWED = re.compile(r"[A-Z0-9 ./-]+", re.ASCII)
_SEPARATORS = str.maketrans("", "", " .-/,:")


@cache
def _module(name: str) -> _Scheme:
    return cast(_Scheme, importlib.import_module(f"stdnum.{name}"))


def has_scheme(country: str) -> bool:
    """True where the tax id is checked against the country's own scheme."""
    return country in EU_VAT_PREFIXES or country in NATIONAL_SCHEMES


class TaxIdProblem(Exception):
    """Internal: carries a MESSAGES key out of the checks below."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


# The most useful hint when every scheme refused the number: a wrong check
# digit means the shape was right, so it beats "wrong length" and "wrong format".
_RANK = {"tax_id_checksum": 3, "tax_id_length": 2, "tax_id_invalid": 1}


def _problem_key(error: Exception) -> str:
    if isinstance(error, stdnum_errors.InvalidChecksum):
        return "tax_id_checksum"
    if isinstance(error, stdnum_errors.InvalidLength):
        return "tax_id_length"
    return "tax_id_invalid"


def _run(module_name: str, number: str) -> str:
    try:
        return _module(module_name).validate(number)
    except Exception as error:  # stdnum raises ValueErrors and, on odd input, worse
        raise TaxIdProblem(_problem_key(error)) from None


def _first_valid(module_names: tuple[str, ...], number: str) -> str:
    best = "tax_id_invalid"
    for name in module_names:
        try:
            return _run(name, number)
        except TaxIdProblem as problem:
            if _RANK[problem.key] > _RANK[best]:
                best = problem.key
    raise TaxIdProblem(best)


def _with_prefix(compact: str, own: frozenset[str], check: Callable[[str], str]) -> str:
    """Check ``compact`` with or without one of the country's own prefixes.

    A prefix of another country is refused with a clear message, unless the
    whole value happens to be a valid national number (some start with letters).
    """
    head = compact[:2]
    if len(compact) > 2 and head.isalpha():
        if head in own:
            return check(compact[2:])
        if head in _KNOWN_PREFIXES:
            try:
                return check(compact)
            except TaxIdProblem:
                raise TaxIdProblem("tax_id_other_country") from None
    return check(compact)


def _eu_vat(country: str, compact: str) -> str:
    prefix = EU_VAT_PREFIXES[country]
    # eu.vat picks the national module from the prefix, which we force to the
    # buyer's country: a valid number of another member state cannot slip through.
    return _with_prefix(compact, frozenset({prefix, country}),
                        lambda national: _run("eu.vat", prefix + national))


def _gb_vat(compact: str) -> str:
    # Northern Ireland traders (EU goods rules) use "XI" with the same number.
    prefix = "XI" if compact.startswith("XI") else "GB"
    return _with_prefix(compact, frozenset({"GB", "XI"}),
                        lambda national: prefix + _run("gb.vat", national))


def _national(country: str, compact: str) -> str:
    if country == "ZA" and _ZA_VAT.fullmatch(compact):
        return compact
    # stdnum modules strip their own country prefix (CHE, NO ... MVA) themselves,
    # and a Mexican RFC may start with any letters, so no prefix handling here.
    return _first_valid(NATIONAL_SCHEMES[country], compact)


def _generic(value: str) -> str:
    if not _GENERIC_ALLOWED.fullmatch(value):
        raise TaxIdProblem("tax_id_characters")
    return " ".join(value.split())


def normalize_tax_id(country: str, value: str) -> str:
    """The stored form of ``value`` (already stripped, non-empty) or TaxIdProblem."""
    upper = value.upper()
    if not has_scheme(country):
        return _generic(upper)
    compact = upper.translate(_SEPARATORS)
    if not compact.isascii() or not compact.isalnum():
        raise TaxIdProblem("tax_id_characters")
    if country in EU_VAT_PREFIXES:
        return _eu_vat(country, compact)
    if country == "GB":
        return _gb_vat(compact)
    return _national(country, compact)


_MASK = "•••••"


def tax_id_display(tax_id: str) -> str:
    """A masked tax id for logs, audit records and events: never the full number.

    Keeps a leading VAT country prefix and the last three characters of long
    numbers (so a buyer can tell two of their own ids apart); the number of
    hidden characters is not revealed.
    """
    compact = "".join(ch for ch in tax_id.upper() if ch.isalnum())
    if not compact:
        return ""
    prefix = ""
    if compact[:2] in _KNOWN_PREFIXES and compact[2:3].isdigit():
        prefix, compact = compact[:2], compact[2:]
    keep = 3 if len(compact) >= 8 else 2 if len(compact) >= 6 else 0
    return prefix + _MASK + (compact[-keep:] if keep else "")
