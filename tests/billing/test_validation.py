"""validate_billing_details: each field, normalisation, and all errors at once.

What each country's addresses require and its postal codes: test_country_rules.py.
"""

from __future__ import annotations

import pytest

from waffo_portal.core.billing_details import MAX_LENGTHS, MESSAGES, validate_billing_details
from waffo_portal.core.exceptions import ValidationError
from waffo_portal.core.models import BillingDetails

from .addresses import business_form, full_form


def errors_of(raw: dict[str, str]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        validate_billing_details(raw)
    assert caught.value.status_code == 422
    return caught.value.errors


def test_minimal_valid_details() -> None:
    assert validate_billing_details(full_form("DE")) == BillingDetails(
        country="DE", postal_code="10115", name="Ada Lovelace", address_line1="1 Main Street",
        city="Berlin")


def test_every_message_is_a_short_plain_msgid() -> None:
    for text in MESSAGES.values():
        assert 0 < len(text) <= 60
        assert "{" not in text and "%" not in text  # nothing to interpolate
    assert len(set(MESSAGES.values())) == len(MESSAGES)


# Name ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["", "   "])
def test_name_is_required(name: str) -> None:
    assert errors_of(full_form("DE", name=name)) == {"name": MESSAGES["name_required"]}
    assert errors_of(business_form("DE", name=name)) == {"name": MESSAGES["name_required"]}


def test_name_is_required_even_without_a_country() -> None:
    assert errors_of({}) == {"country": MESSAGES["country_required"],
                             "name": MESSAGES["name_required"]}


def test_free_text_is_nfc_and_has_its_spaces_collapsed() -> None:
    got = validate_billing_details(full_form(
        "DE", name="  Zoe\u0301   Mu\u0308ller ", address_line1=" Unter  den Linden  1 ",
        address_line2="  Hinterhaus,   2. OG ", city="  Bad   Sa\u0308ckingen "))
    assert (got.name, got.address_line1, got.address_line2, got.city) == \
        ("Zoé Müller", "Unter den Linden 1", "Hinterhaus, 2. OG", "Bad Säckingen")


def test_markup_is_stored_verbatim() -> None:
    # Escaping is the renderer's job; the value itself is stored as typed.
    evil = '<img src="http://127.0.0.1:1/">'
    got = validate_billing_details(full_form("DE", name=evil, address_line1=evil))
    assert got.name == got.address_line1 == evil


# Country -------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "stored"), [("de", "DE"), (" De ", "DE"), ("ae", "AE"),
                                                ("hk", "HK")])
def test_country_is_case_insensitive_and_stored_upper(typed: str, stored: str) -> None:
    assert validate_billing_details(full_form(stored, country=typed)).country == stored


@pytest.mark.parametrize("typed", ["XX", "DEU", "Germany", "D", "1A", "ÄB", "EU", "UK"])
def test_unknown_country_is_refused(typed: str) -> None:
    assert errors_of({"country": typed, "name": "Ada"}) == {"country": MESSAGES["country_invalid"]}


@pytest.mark.parametrize("typed", ["", "   "])
def test_country_is_required(typed: str) -> None:
    assert errors_of({"country": typed, "name": "Ada"}) == \
        {"country": MESSAGES["country_required"]}


# State ---------------------------------------------------------------------

@pytest.mark.parametrize(("country", "typed", "stored"), [
    ("US", "CA", "US-CA"), ("US", "us-ca", "US-CA"), ("US", "california", "US-CA"),
    ("CA", "on", "CA-ON"), ("AU", "NSW", "AU-NSW"), ("BR", "SP", "BR-SP"),
    ("MX", "CMX", "MX-CMX"), ("IN", "MH", "IN-MH"), ("JP", "13", "JP-13"), ("CN", "BJ", "CN-BJ"),
    ("DE", "BY", "DE-BY"), ("IT", "MI", "IT-MI"), ("FR", "IDF", "FR-IDF"), ("ES", "m", "ES-M"),
])
def test_state_is_normalised_to_the_full_code(country: str, typed: str, stored: str) -> None:
    assert validate_billing_details(full_form(country, state=typed)).state == stored


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
    assert errors_of(full_form(country, state=typed)).get("state") == MESSAGES[key]


def test_state_is_checked_against_the_country_typed_in_any_case() -> None:
    got = validate_billing_details(full_form("US", country="us", state="tx",
                                             postal_code="73301"))
    assert got.state == "US-TX"


# Business name, tax id and is_business ------------------------------------

@pytest.mark.parametrize(("typed", "flag"), [("on", True), ("TRUE", True), ("1", True),
                                             ("yes", True), ("", False), ("off", False),
                                             ("0", False), ("false", False)])
def test_is_business_flag(typed: str, flag: bool) -> None:
    got = validate_billing_details(business_form("AE", is_business=typed))
    assert got.is_business is flag
    assert got.business_name == ("Acme" if flag else "")


def test_is_business_rejects_other_values() -> None:
    assert errors_of(business_form("AE", is_business="maybe")) == \
        {"is_business": MESSAGES["is_business_invalid"]}


@pytest.mark.parametrize("name", ["", "   "])
def test_business_name_required_for_businesses(name: str) -> None:
    assert errors_of(business_form("AE", business_name=name)) == \
        {"business_name": MESSAGES["business_name_required"]}


def test_a_consumers_business_fields_are_dropped_unchecked() -> None:
    # The fields sit in a fieldset the form hides for consumers; whatever is left in them
    # is neither an error nor stored, so it can reach no invoice.
    for business_name, tax_id in (("Acme GmbH", "DE136695976"), ("A\nB", "garbage!"),
                                  ("x" * 500, "DE136695977")):
        got = validate_billing_details(full_form("DE", business_name=business_name,
                                                 tax_id=tax_id))
        assert (got.is_business, got.business_name, got.tax_id) == (False, "", "")


def test_an_unreadable_flag_still_gets_the_business_fields_checked() -> None:
    assert errors_of(full_form("DE", is_business="maybe", business_name="A\x00",
                               tax_id="DE136695977")) == {
        "is_business": MESSAGES["is_business_invalid"],
        "business_name": MESSAGES["control_chars"],
        "tax_id": MESSAGES["tax_id_checksum"]}


def test_business_name_is_stripped_and_spaces_collapsed() -> None:
    got = validate_billing_details(business_form("AE", business_name="  Ünïcode   GmbH  "))
    assert got.business_name == "Ünïcode GmbH"


def test_business_name_is_nfc_normalised() -> None:
    got = validate_billing_details(business_form("AE", business_name="Cafe\u0301"))
    assert got.business_name == "Caf\u00e9"


@pytest.mark.parametrize(("field", "cap"), [
    ("name", 200), ("address_line1", 200), ("address_line2", 200), ("city", 100),
    ("business_name", 200), ("tax_id", 32), ("state", 64), ("postal_code", 16)])
def test_length_caps(field: str, cap: int) -> None:
    assert MAX_LENGTHS[field] == cap
    assert errors_of(business_form("DE", **{field: "A" * (cap + 1)})) == \
        {field: MESSAGES["too_long"]}


@pytest.mark.parametrize(("field", "cap"), [("business_name", 200), ("name", 200),
                                            ("address_line1", 200), ("city", 100)])
def test_free_text_at_its_cap_is_accepted(field: str, cap: int) -> None:
    got = validate_billing_details(business_form("DE", **{field: "é" * cap}))
    assert getattr(got, field) == "é" * cap


# Control characters -------------------------------------------------------

CONTROL = ["\r", "\n", "\x00", "\t", "\x1b", "\x7f", "\x85", "\x9f", "\u2028", "\u2029",
           "\u202e", "\u2066", "\ud800"]
FIELDS = ["name", "country", "address_line1", "address_line2", "city", "state", "postal_code",
          "business_name", "tax_id"]


@pytest.mark.parametrize("char", CONTROL)
@pytest.mark.parametrize("field", FIELDS)
def test_control_characters_are_refused_in_every_field(field: str, char: str) -> None:
    raw = business_form("US", address_line2="Suite 300", tax_id="91-1144442")
    raw[field] = raw[field] + char  # even at the end, where strip() would hide it
    assert errors_of(raw) == {field: MESSAGES["control_chars"]}


def test_joiners_needed_by_some_scripts_are_allowed() -> None:
    text = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # Persian with ZWNJ
    got = validate_billing_details(business_form("AE", business_name=text, name=text))
    assert got.business_name == got.name == text


# All errors at once -------------------------------------------------------

def test_all_field_errors_are_reported_together() -> None:
    got = errors_of({"country": "US", "state": "CA-ON", "postal_code": "1", "tax_id": "12",
                     "business_name": "A\nB", "is_business": "perhaps", "city": "\x00"})
    assert got == {
        "name": MESSAGES["name_required"],
        "address_line1": MESSAGES["address_required"],
        "city": MESSAGES["control_chars"],
        "state": MESSAGES["state_other_country"],
        "postal_code": MESSAGES["postal_code_invalid"],
        "tax_id": MESSAGES["tax_id_invalid"],
        "business_name": MESSAGES["control_chars"],
        "is_business": MESSAGES["is_business_invalid"],
    }


def test_bad_country_still_reports_field_level_problems() -> None:
    got = errors_of({"country": "ZZ", "state": "X\x00", "postal_code": "1" * 40,
                     "is_business": "on", "name": "Ada"})
    assert got == {"country": MESSAGES["country_invalid"], "state": MESSAGES["control_chars"],
                   "postal_code": MESSAGES["too_long"],
                   "business_name": MESSAGES["business_name_required"]}


def test_every_missing_field_together() -> None:
    assert errors_of({"country": "US", "is_business": "1"}) == {
        "name": MESSAGES["name_required"],
        "address_line1": MESSAGES["address_required"],
        "city": MESSAGES["city_required"],
        "state": MESSAGES["state_required"],
        "postal_code": MESSAGES["postal_code_required"],
        "business_name": MESSAGES["business_name_required"],
    }


def test_unknown_keys_are_ignored() -> None:
    got = validate_billing_details(full_form("HK", csrf_token="x\n", evil="\x00"))
    assert got == BillingDetails(country="HK", name="Ada Lovelace",
                                 address_line1="1 Main Street")


def test_full_business_details() -> None:
    got = validate_billing_details({
        "name": " Erika  Mustermann ", "country": "de", "address_line1": "Unter den Linden 1",
        "address_line2": "", "city": "Berlin", "state": "be", "postal_code": " 10115 ",
        "is_business": "on", "business_name": " Example  GmbH ", "tax_id": "de 136 695 976"})
    assert got == BillingDetails(country="DE", state="DE-BE", postal_code="10115",
                                 business_name="Example GmbH", tax_id="DE136695976",
                                 is_business=True, name="Erika Mustermann",
                                 address_line1="Unter den Linden 1", city="Berlin")
