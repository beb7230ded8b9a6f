"""Billing-details helpers at their edges: audit form, collation, names, lookups."""

from __future__ import annotations

import pytest

from waffo_portal.core import billing_details as rules
from waffo_portal.core.exceptions import ValidationError
from waffo_portal.core.models import BillingDetails

from .addresses import business_form


def test_details_for_audit_is_exact_and_masks_the_tax_id() -> None:
    business = BillingDetails("DE", "", "10115", "Acme GmbH", "DE123456789", True,
                              "Erika Mustermann", "Unter den Linden 1", "Hof 2", "Berlin")
    assert rules.details_for_audit(business) == {
        "name": "Erika Mustermann", "country": "DE", "address_line1": "Unter den Linden 1",
        "address_line2": "Hof 2", "city": "Berlin", "state": "", "postal_code": "10115",
        "business_name": "Acme GmbH", "tax_id": rules.tax_id_display("DE123456789"),
        "is_business": "true"}
    person = BillingDetails("US", "US-CA", "94107")
    assert rules.details_for_audit(person)["is_business"] == "false"
    assert rules.details_for_audit(person)["state"] == "US-CA"
    assert rules.details_for_audit(None) == {}


def test_the_collation_key_drops_accents_and_case() -> None:
    assert rules._collation_key("Österreich") == "osterreich"
    assert rules._collation_key("Éire") == "eire"
    assert rules._collation_key("ﬁ") == "fi"  # NFKD: compatibility forms too


def test_lookups_read_pycountry_afresh() -> None:
    """Uncached paths (the cached ones are filled once per process)."""
    assert {s.code for s in rules._subdivision_records("US")} >= {"US-CA", "US-NY"}
    assert rules._subdivision_records("XX") == []
    assert rules._subdivisions.__wrapped__("AT", "de")[0][0].startswith("AT-")


def test_subdivision_lookups_normalise_the_country() -> None:
    assert rules.subdivisions(" us ") == rules.subdivisions("US")
    assert rules.subdivisions("U1") == [] and rules.subdivisions("USA") == []
    assert rules.subdivision_name("US-CA") == "California"


def test_english_is_the_fallback_locale() -> None:
    assert str(rules._locale(None)) == str(rules._locale("xx-nowhere")) == "en"
    assert str(rules._locale("pt-BR")) == "pt_BR"
    assert rules.country_name("DE") == "Germany" and rules.country_name("DE", "de") == "Deutschland"
    assert dict(rules.countries())["DE"] == "Germany"


def test_a_bad_business_name_is_reported_once_with_its_own_problem() -> None:
    with pytest.raises(ValidationError) as refused:
        rules.validate_billing_details(business_form("DE", business_name="Acme\x00"))
    assert refused.value.keys == {"business_name": "billing.control_chars"}


def test_only_free_text_has_its_spaces_collapsed() -> None:
    details = rules.validate_billing_details(business_form(
        "GB", business_name="  Acme    Ltd  ", name=" Jane   Doe ", city="  Milton   Keynes ",
        postal_code="MK9  3AB"))
    assert (details.business_name, details.name, details.city) == \
        ("Acme Ltd", "Jane Doe", "Milton Keynes")
    assert details.postal_code == "MK9 3AB"
    assert rules._clean("tax_id", "GB 123  456") == "GB 123  456"
    assert rules._clean("state", "US  CA") == "US  CA"


def test_tax_id_display_keeps_the_prefix_and_a_tail_by_length() -> None:
    from waffo_portal.core.tax_ids import _MASK, tax_id_display

    assert tax_id_display("DE12345678") == f"DE{_MASK}678"  # 8 after the prefix: keep 3
    assert tax_id_display("DE1234567") == f"DE{_MASK}67"  # 7: keep 2
    assert tax_id_display("DE123456") == f"DE{_MASK}56"  # 6: keep 2
    assert tax_id_display("DE12345") == f"DE{_MASK}"  # 5: keep none
    assert tax_id_display("DE1A345678") == f"DE{_MASK}678"  # digit right after the prefix
    assert tax_id_display("DEA2345678") == f"{_MASK}678"  # no digit after it: not a prefix


def test_northern_irish_vat_numbers_keep_their_xi_prefix() -> None:
    details = rules.validate_billing_details(business_form(
        "GB", postal_code="BT1 1AA", city="Belfast", tax_id="XI 980 7806 84"))
    assert details.tax_id == "XI980780684"


@pytest.mark.parametrize(("country", "value", "key"), [
    ("DE", "DE", "tax_id_invalid"),  # a bare prefix is no number
    ("DE", "DE1", "tax_id_length"),  # the prefix is dropped before the length check
    ("DE", "DE12345678!", "tax_id_characters"),  # ASCII, but not alphanumeric
    ("DE", "DE١٢٣٤٥٦٧٨٩", "tax_id_characters"),  # alphanumeric, but not ASCII
    ("GB", "XI", "tax_id_length"),
])
def test_short_and_odd_tax_ids_get_the_right_problem(country: str, value: str,
                                                     key: str) -> None:
    from waffo_portal.core.tax_ids import TaxIdProblem, normalize_tax_id

    with pytest.raises(TaxIdProblem) as problem:
        normalize_tax_id(country, value)
    assert problem.value.key == key == str(problem.value)


@pytest.mark.parametrize("country", ["", "ZZ", "D1"])
def test_nothing_is_checked_against_a_missing_or_wrong_country(country: str) -> None:
    with pytest.raises(ValidationError) as refused:
        rules.validate_billing_details({"country": country, "state": "US-CA", "name": "Ada",
                                        "postal_code": "1", "tax_id": "XX1",
                                        "is_business": "1", "business_name": "Acme"})
    assert list(refused.value.keys) == ["country"]
