"""Tax ids per country scheme: real check-digit examples (each verified with stdnum)."""

from __future__ import annotations

import pytest
from stdnum.eu import vat as eu_vat

from waffo_portal.core.billing_details import MESSAGES, validate_billing_details
from waffo_portal.core.exceptions import ValidationError
from waffo_portal.core.tax_ids import EU_VAT_PREFIXES, NATIONAL_SCHEMES, tax_id_display

from .addresses import business_form


def details(country: str, tax_id: str) -> dict[str, str]:
    """A business's complete details, so only the tax id decides."""
    return business_form(country, tax_id=tax_id)


def tax_error(country: str, tax_id: str) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_billing_details(details(country, tax_id))
    assert set(caught.value.errors) == {"tax_id"}, caught.value.errors
    return caught.value.errors["tax_id"]


VALID = [
    ("DE", "DE136695976", "DE136695976"),
    ("DE", "136 695 976", "DE136695976"),
    ("DE", "de 136.695.976", "DE136695976"),
    ("FR", "FR 40 303 265 045", "FR40303265045"),
    ("IT", "IT 00743110157", "IT00743110157"),
    ("ES", "ES B-64717838", "ESB64717838"),
    ("NL", "NL004495445B01", "NL004495445B01"),
    ("PL", "PL 856-734-62-15", "PL8567346215"),
    ("AT", "ATU13585627", "ATU13585627"),
    ("AT", "U13585627", "ATU13585627"),
    ("BE", "BE 428759497", "BE0428759497"),
    ("GR", "EL 094259216", "EL094259216"),
    ("GR", "GR094259216", "EL094259216"),  # ISO code typed; stored with the VAT prefix
    ("IE", "IE 6433435OA", "IE6433435OA"),
    ("GB", "GB 980 7806 84", "GB980780684"),
    ("GB", "980780684", "GB980780684"),
    ("GB", "XI 980 7806 84", "XI980780684"),
    ("CH", "CHE-107.787.577 IVA", "CHE107787577IVA"),
    ("CH", "CHE-100.155.212", "CHE100155212"),
    ("NO", "NO 995 525 828 MVA", "995525828MVA"),
    ("AU", "83 914 571 673", "83914571673"),
    ("NZ", "49-098-576", "49098576"),
    ("IN", "27AAPFU0939F1ZV", "27AAPFU0939F1ZV"),
    ("BR", "16.727.230/0001-97", "16727230000197"),
    ("BR", "390.533.447-05", "39053344705"),  # CPF for individuals
    ("JP", "5-8356-7825-6246", "5835678256246"),
    ("KR", "116-82-00276", "1168200276"),
    ("CN", "91110000600037341L", "91110000600037341L"),
    ("TR", "4540536920", "4540536920"),
    ("RU", "1234567894", "1234567894"),
    ("RU", "123456789047", "123456789047"),
    ("MX", "MAB-930714-8T4", "MAB9307148T4"),
    ("MX", "GODE 561231 GR8", "GODE561231GR8"),
    ("MX", "DEGA-561231-GR8", "DEGA561231GR8"),  # starts like a German prefix; still Mexican
    ("CA", "12302 6635", "123026635"),
    ("CA", "12302 6635 RC 0001", "123026635RC0001"),
    ("US", "91-1144442", "911144442"),
    ("SG", "197401143C", "197401143C"),
    ("ZA", "0001339050", "0001339050"),
    ("ZA", "4123456789", "4123456789"),  # VAT number shape
    ("AR", "20-26756539-3", "20267565393"),
    ("CL", "76086428-5", "760864285"),
    # No scheme: sanitized, upper-cased, spaces collapsed.
    ("TH", " 0105 536  112 014 ", "0105 536 112 014"),
    ("AE", "100-1234/567.8", "100-1234/567.8"),
]


@pytest.mark.parametrize(("country", "typed", "stored"), VALID)
def test_valid_tax_ids_are_normalised(country: str, typed: str, stored: str) -> None:
    assert validate_billing_details(details(country, typed)).tax_id == stored


INVALID = [
    ("DE", "DE136695977", "tax_id_checksum"),
    ("DE", "DE13669597", "tax_id_length"),
    ("FR", "FR84323140391", "tax_id_checksum"),
    ("IT", "IT00743110158", "tax_id_checksum"),
    ("ES", "ESB64717839", "tax_id_checksum"),
    ("PL", "PL8567346216", "tax_id_checksum"),
    ("AT", "ATU13585626", "tax_id_checksum"),
    ("GR", "EL123456781", "tax_id_checksum"),
    ("IE", "IE6433435E", "tax_id_checksum"),
    ("GB", "GB802311781", "tax_id_checksum"),
    ("CH", "CHE-107.787.578 IVA", "tax_id_checksum"),
    ("NO", "NO 995 525 829 MVA", "tax_id_checksum"),
    ("AU", "99 999 999 999", "tax_id_checksum"),
    ("IN", "27AAPFU0939F1Z", "tax_id_length"),
    ("BR", "16.727.230/0001-98", "tax_id_checksum"),
    ("BR", "231.002.999-00", "tax_id_checksum"),
    ("JP", "2-8356-7825-6246", "tax_id_checksum"),
    ("KR", "1168200", "tax_id_length"),
    ("CN", "A1110000600037341L", "tax_id_invalid"),
    ("TR", "4540536921", "tax_id_checksum"),
    ("RU", "123456789037", "tax_id_checksum"),
    ("MX", "12345", "tax_id_length"),
    ("CA", "123456783", "tax_id_checksum"),
    ("US", "07-1144442", "tax_id_invalid"),  # 07 is not an IRS campus prefix
    ("SG", "197401143D", "tax_id_checksum"),
    ("NZ", "136410133", "tax_id_checksum"),
    # A valid number of another country, with its prefix.
    ("FR", "DE136695976", "tax_id_other_country"),
    ("DE", "FR40303265045", "tax_id_other_country"),
    ("AT", "GB980780684", "tax_id_other_country"),
    ("GB", "DE136695976", "tax_id_other_country"),
    # Characters no scheme uses.
    ("DE", "DE 1366959€6", "tax_id_characters"),
    ("TH", "<script>", "tax_id_characters"),
    ("TH", "０１２３", "tax_id_characters"),  # full-width digits
]


@pytest.mark.parametrize(("country", "typed", "key"), INVALID)
def test_invalid_tax_ids_get_a_specific_message(country: str, typed: str, key: str) -> None:
    assert tax_error(country, typed) == MESSAGES[key]


def test_a_german_number_without_prefix_is_checked_as_german() -> None:
    # 303265045 is a valid French SIREN but not a valid German number.
    assert tax_error("DE", "40303265045") in {MESSAGES["tax_id_length"],
                                              MESSAGES["tax_id_checksum"]}


def test_every_eu_member_state_is_checked_with_eu_vat() -> None:
    assert set(EU_VAT_PREFIXES) == {cc.upper() for cc in eu_vat.MEMBER_STATES} - {"XI"}
    assert EU_VAT_PREFIXES["GR"] == "EL"
    assert not set(EU_VAT_PREFIXES) & set(NATIONAL_SCHEMES)


def test_tax_id_longer_than_cap_is_refused_before_parsing() -> None:
    assert tax_error("DE", "DE" + "1" * 40) == MESSAGES["too_long"]
    assert tax_error("TH", "A" * 33) == MESSAGES["too_long"]
    assert validate_billing_details(details("TH", "A" * 32)).tax_id == "A" * 32


def test_unexpected_stdnum_errors_become_validation_errors(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(_number: str) -> str:
        raise IndexError("stdnum bug")

    monkeypatch.setattr(eu_vat, "validate", explode)
    assert tax_error("DE", "DE136695976") == MESSAGES["tax_id_invalid"]


@pytest.mark.parametrize(("tax_id", "shown"), [
    ("DE136695976", "DE•••••976"),
    ("EL094259216", "EL•••••216"),
    ("GB980780684", "GB•••••684"),
    ("911144442", "•••••442"),
    ("27AAPFU0939F1ZV", "•••••1ZV"),
    ("GODE561231GR8", "•••••GR8"),  # name initials are not a country prefix
    ("123456", "•••••56"),
    ("12345", "•••••"),
    ("", ""),
])
def test_tax_id_display_masks(tax_id: str, shown: str) -> None:
    assert tax_id_display(tax_id) == shown


@pytest.mark.parametrize(("country", "typed", "stored"), VALID)
def test_display_never_contains_the_full_number(country: str, typed: str, stored: str) -> None:
    shown = tax_id_display(stored)
    compact = "".join(ch for ch in stored if ch.isalnum())
    assert compact not in shown.replace("•", "")
    assert "•" in shown
