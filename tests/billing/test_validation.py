"""validate_billing_details: each field, normalisation, and all errors at once."""

from __future__ import annotations

import pytest

from waffo_portal.core.billing_details import (
    MAX_LENGTHS,
    MESSAGES,
    STATE_REQUIRED,
    validate_billing_details,
)
from waffo_portal.core.exceptions import ValidationError
from waffo_portal.core.models import BillingDetails


def errors_of(raw: dict[str, str]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        validate_billing_details(raw)
    assert caught.value.status_code == 422
    return caught.value.errors


def test_minimal_valid_details() -> None:
    assert validate_billing_details({"country": "DE", "postal_code": "10115"}) == \
        BillingDetails(country="DE", postal_code="10115")


def test_every_message_is_a_short_plain_msgid() -> None:
    for text in MESSAGES.values():
        assert 0 < len(text) <= 60
        assert "{" not in text and "%" not in text  # nothing to interpolate
    assert len(set(MESSAGES.values())) == len(MESSAGES)


# Country -------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "stored"), [("de", "DE"), (" De ", "DE"), ("AE", "AE"),
                                                ("hk", "HK")])
def test_country_is_case_insensitive_and_stored_upper(typed: str, stored: str) -> None:
    assert validate_billing_details({"country": typed, "postal_code": "10115"
                                     if stored == "DE" else ""}).country == stored


@pytest.mark.parametrize("typed", ["XX", "DEU", "Germany", "D", "1A", "ÄB", "EU", "UK"])
def test_unknown_country_is_refused(typed: str) -> None:
    assert errors_of({"country": typed}) == {"country": MESSAGES["country_invalid"]}


@pytest.mark.parametrize("typed", ["", "   "])
def test_country_is_required(typed: str) -> None:
    assert errors_of({"country": typed}) == {"country": MESSAGES["country_required"]}
    assert errors_of({}) == {"country": MESSAGES["country_required"]}


# State ---------------------------------------------------------------------

@pytest.mark.parametrize(("country", "typed", "stored"), [
    ("US", "CA", "US-CA"), ("US", "us-ny", "US-NY"), ("US", "california", "US-CA"),
    ("US", "DC", "US-DC"), ("CA", "on", "CA-ON"), ("AU", "NSW", "AU-NSW"), ("BR", "SP", "BR-SP"),
    ("MX", "CMX", "MX-CMX"), ("IN", "KA", "IN-KA"), ("JP", "13", "JP-13"), ("CN", "BJ", "CN-BJ"),
    ("DE", "BY", "DE-BY"), ("IT", "MI", "IT-MI"), ("FR", "IDF", "FR-IDF"),
])
def test_state_is_normalised_to_the_full_code(country: str, typed: str, stored: str) -> None:
    postal = {"US": "94107", "CA": "M5V 2T6", "AU": "2000", "BR": "01310-100", "MX": "06000",
              "IN": "560001", "JP": "100-0001", "CN": "100000", "DE": "80331", "IT": "20121",
              "FR": "75001"}[country]
    got = validate_billing_details({"country": country, "state": typed, "postal_code": postal})
    assert got.state == stored


@pytest.mark.parametrize("country", sorted(STATE_REQUIRED))
def test_state_is_required_where_addresses_use_it(country: str) -> None:
    assert errors_of({"country": country}).get("state") == MESSAGES["state_required"]


@pytest.mark.parametrize("country", ["DE", "IT", "GB", "FR"])
def test_state_is_optional_elsewhere(country: str) -> None:
    with pytest.raises(ValidationError) as caught:  # postal code missing on purpose
        validate_billing_details({"country": country})
    assert "state" not in caught.value.errors


@pytest.mark.parametrize(("country", "typed", "key"), [
    ("US", "CA-ON", "state_other_country"),
    ("CA", "US-CA", "state_other_country"),
    ("DE", "AT-9", "state_other_country"),
    ("US", "ZZ", "state_invalid"),
    ("US", "US-XX", "state_invalid"),
    ("US", "Bavaria", "state_invalid"),
    ("DE", "Cali", "state_invalid"),
    ("HK", "Kowloon", "state_not_used"),
])
def test_bad_state(country: str, typed: str, key: str) -> None:
    assert errors_of({"country": country, "state": typed}).get("state") == MESSAGES[key]


def test_state_is_checked_against_the_country_typed_in_any_case() -> None:
    got = validate_billing_details({"country": "us", "state": "tx", "postal_code": "73301"})
    assert got.state == "US-TX"


# Postal code ---------------------------------------------------------------

VALID_POSTAL = [
    ("US", "94107", "94107"), ("US", "94107-1234", "94107-1234"), ("US", "941071234", "94107-1234"),
    ("US", " 94107 1234 ", "94107-1234"),
    ("CA", "k1a0b1", "K1A 0B1"), ("CA", "K1A 0B1", "K1A 0B1"),
    ("GB", "sw1a1aa", "SW1A 1AA"), ("GB", "M1 1AE", "M1 1AE"), ("GB", "EC1A 1BB", "EC1A 1BB"),
    ("GB", "gir 0aa", "GIR 0AA"),
    ("DE", "10115", "10115"), ("FR", "75001", "75001"), ("IT", "00118", "00118"),
    ("ES", "28013", "28013"), ("JP", "1000001", "100-0001"), ("JP", "100-0001", "100-0001"),
    ("BR", "01310100", "01310-100"), ("BR", "01310-100", "01310-100"), ("IN", "560001", "560001"),
    ("NL", "1012ab", "1012 AB"), ("NL", "1012  AB", "1012 AB"), ("AU", "2000", "2000"),
    ("PL", "00950", "00-950"), ("PL", "00-950", "00-950"), ("RU", "101000", "101000"),
    ("KR", "03187", "03187"), ("CN", "100000", "100000"), ("TH", "10200", "10200"),
    ("VN", "100000", "100000"), ("ID", "10110", "10110"), ("MY", "50088", "50088"),
    ("TR", "06100", "06100"), ("SA", "12345", "12345"), ("SA", "123456789", "12345-6789"),
    ("PT", "1000001", "1000-001"), ("SE", "11455", "114 55"), ("CZ", "110 00", "110 00"),
    ("LV", "1050", "LV-1050"), ("LV", "lv-1050", "LV-1050"), ("LT", "01100", "LT-01100"),
    ("IE", "a65f4e2", "A65 F4E2"), ("IE", "D6W 1234", "D6W 1234"), ("IE", "", ""),
    ("AE", "", ""), ("HK", "", ""), ("AE", "po box 1234", "PO BOX 1234"),
    ("BO", "", ""), ("BO", "0000", "0000"),  # no pattern: optional, generic check
]


@pytest.mark.parametrize(("country", "typed", "stored"), VALID_POSTAL)
def test_valid_postal_codes(country: str, typed: str, stored: str) -> None:
    state = {"US": "CA", "CA": "ON", "JP": "13", "BR": "SP", "IN": "KA", "AU": "NSW",
             "CN": "BJ"}.get(country, "")
    got = validate_billing_details({"country": country, "state": state, "postal_code": typed})
    assert got.postal_code == stored


INVALID_POSTAL = [
    ("US", "9410"), ("US", "941071"), ("US", "94107-12"), ("US", "ABCDE"), ("CA", "D1A 0B1"),
    ("CA", "K1A 0B"), ("GB", "12345"), ("GB", "SW1A"), ("DE", "1011"), ("DE", "101155"),
    ("ES", "53001"), ("JP", "100-000"), ("BR", "0131010"), ("IN", "060001"), ("NL", "0123 AB"),
    ("NL", "1234 A"), ("AU", "200"), ("PL", "0095"), ("RU", "10100"), ("KR", "0318"),
    ("CN", "10000"), ("IE", "B65 F4E2"), ("IE", "A65"), ("FR", "7500A"), ("AE", "<b>"),
    ("BO", "#12"), ("DE", "１０１１５"),  # full-width digits
]


@pytest.mark.parametrize(("country", "typed"), INVALID_POSTAL)
def test_invalid_postal_codes(country: str, typed: str) -> None:
    got = errors_of({"country": country, "postal_code": typed})
    assert got.get("postal_code") == MESSAGES["postal_code_invalid"]


@pytest.mark.parametrize("country", ["US", "CA", "GB", "DE", "FR", "JP", "BR", "IN", "NL", "AU",
                                     "PL", "RU", "ES", "IT", "KR", "CN", "TH", "VN", "ID", "MY",
                                     "TR", "SA"])
def test_postal_code_required_where_used(country: str) -> None:
    assert errors_of({"country": country}).get("postal_code") == \
        MESSAGES["postal_code_required"]


def test_postal_code_cap() -> None:
    assert errors_of({"country": "BO", "postal_code": "1" * 17}) == \
        {"postal_code": MESSAGES["too_long"]}


# Business name and is_business --------------------------------------------

@pytest.mark.parametrize(("typed", "flag"), [("on", True), ("TRUE", True), ("1", True),
                                             ("yes", True), ("", False), ("off", False),
                                             ("0", False), ("false", False)])
def test_is_business_flag(typed: str, flag: bool) -> None:
    got = validate_billing_details({"country": "AE", "is_business": typed,
                                    "business_name": "Acme"})
    assert got.is_business is flag


def test_is_business_rejects_other_values() -> None:
    assert errors_of({"country": "AE", "is_business": "maybe"}) == \
        {"is_business": MESSAGES["is_business_invalid"]}


@pytest.mark.parametrize("name", ["", "   "])
def test_business_name_required_for_businesses(name: str) -> None:
    assert errors_of({"country": "AE", "is_business": "on", "business_name": name}) == \
        {"business_name": MESSAGES["business_name_required"]}


def test_business_name_is_stripped_and_spaces_collapsed() -> None:
    got = validate_billing_details({"country": "AE", "business_name": "  Ünïcode   GmbH  "})
    assert got.business_name == "Ünïcode GmbH"


def test_business_name_keeps_markup_as_text() -> None:
    # Escaping is the renderer's job; the value itself is stored verbatim.
    name = '<img src="http://127.0.0.1:1/">'
    assert validate_billing_details({"country": "AE", "business_name": name}).business_name \
        == name


def test_business_name_is_nfc_normalised() -> None:
    got = validate_billing_details({"country": "AE", "business_name": "Cafe\u0301"})
    assert got.business_name == "Caf\u00e9"


@pytest.mark.parametrize(("field", "cap"), [("business_name", 200), ("tax_id", 32),
                                            ("state", 64)])
def test_length_caps(field: str, cap: int) -> None:
    assert MAX_LENGTHS[field] == cap
    assert errors_of({"country": "AE", field: "A" * (cap + 1)}) == \
        {field: MESSAGES["too_long"]}


def test_business_name_at_cap_is_accepted() -> None:
    assert len(validate_billing_details(
        {"country": "AE", "business_name": "é" * 200}).business_name) == 200


# Control characters -------------------------------------------------------

CONTROL = ["\r", "\n", "\x00", "\t", "\x1b", "\x7f", "\x85", "\x9f", "\u2028", "\u2029",
           "\u202e", "\u2066", "\ud800"]


@pytest.mark.parametrize("char", CONTROL)
@pytest.mark.parametrize("field", ["country", "state", "postal_code", "business_name", "tax_id"])
def test_control_characters_are_refused_in_every_field(field: str, char: str) -> None:
    raw = {"country": "US", "state": "CA", "postal_code": "94107", "business_name": "Acme",
           "tax_id": "91-1144442"}
    raw[field] = raw[field] + char  # even at the end, where strip() would hide it
    assert errors_of(raw) == {field: MESSAGES["control_chars"]}


def test_joiners_needed_by_some_scripts_are_allowed() -> None:
    name = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # Persian with ZWNJ
    assert validate_billing_details({"country": "AE", "business_name": name}).business_name \
        == name


# All errors at once -------------------------------------------------------

def test_all_field_errors_are_reported_together() -> None:
    got = errors_of({"country": "US", "state": "CA-ON", "postal_code": "1", "tax_id": "12",
                     "business_name": "A\nB", "is_business": "perhaps"})
    assert got == {
        "state": MESSAGES["state_other_country"],
        "postal_code": MESSAGES["postal_code_invalid"],
        "tax_id": MESSAGES["tax_id_invalid"],
        "business_name": MESSAGES["control_chars"],
        "is_business": MESSAGES["is_business_invalid"],
    }


def test_bad_country_still_reports_field_level_problems() -> None:
    got = errors_of({"country": "ZZ", "state": "X\x00", "postal_code": "1" * 40,
                     "is_business": "on"})
    assert got == {"country": MESSAGES["country_invalid"], "state": MESSAGES["control_chars"],
                   "postal_code": MESSAGES["too_long"],
                   "business_name": MESSAGES["business_name_required"]}


def test_missing_state_and_postal_code_together() -> None:
    assert errors_of({"country": "US", "is_business": "1"}) == {
        "state": MESSAGES["state_required"],
        "postal_code": MESSAGES["postal_code_required"],
        "business_name": MESSAGES["business_name_required"],
    }


def test_unknown_keys_are_ignored() -> None:
    got = validate_billing_details({"country": "AE", "csrf_token": "x\n", "evil": "\x00"})
    assert got == BillingDetails(country="AE")


def test_full_business_details() -> None:
    got = validate_billing_details({
        "country": "de", "state": "be", "postal_code": " 10115 ", "is_business": "on",
        "business_name": " Example  GmbH ", "tax_id": "de 136 695 976"})
    assert got == BillingDetails(country="DE", state="DE-BE", postal_code="10115",
                                 business_name="Example GmbH", tax_id="DE136695976",
                                 is_business=True)
