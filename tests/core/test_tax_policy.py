"""The tax policy: EU reverse charge, per-country rates, no guessing, sums that add up."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waffo_portal import Portal
from waffo_portal.core.config import Branding
from waffo_portal.core.exceptions import ConfigurationError
from waffo_portal.core.models import BillingDetails
from waffo_portal.core.money import Money
from waffo_portal.core.tax import (
    EU_MEMBER_STATES,
    RateTablePolicy,
    TaxKind,
    parse_rates,
    sums_from_gross,
    tax_kind,
)
from waffo_portal.demo import DEMO_TAX_RATES
from waffo_portal.mail.memory import MemoryMailer
from waffo_portal.payments import TestGateway
from waffo_portal.stores.memory import MemoryStore
from waffo_portal.testing.factories import test_config

RATES = parse_rates({**DEMO_TAX_RATES, "US": "0", "AU": "10", "GB": "20"})
# A valid VAT id per member state used below (check digits verified by python-stdnum).
VALID_VAT = {"AT": "ATU13585627", "DE": "DE136695976", "FR": "FR40303265045",
             "NL": "NL004495445B01", "IE": "IE6388047V"}
INVALID_VAT = {"AT": "ATU13585628", "DE": "DE136695977", "FR": "FR40303265046",
               "NL": "NL004495446B01", "IE": "IE6388047W"}
COUNTRIES = sorted({*VALID_VAT, "JP", "US", "AU", "GB", "BR", "ES", "PL"})
CURRENCIES = ("EUR", "USD", "JPY", "KWD", "GBP")


def policy(seller: str = "DE") -> RateTablePolicy:
    return RateTablePolicy(seller, RATES)


def test_eu_business_with_a_valid_vat_id_of_another_state_is_reverse_charged() -> None:
    austrian = BillingDetails("AT", is_business=True, business_name="Beispiel GmbH",
                              tax_id=VALID_VAT["AT"])
    treatment = policy().treatment(austrian, "EUR")
    assert treatment.reverse_charge and treatment.rate == 0
    assert treatment.kind is TaxKind.VAT


def test_domestic_business_and_consumers_pay_their_countrys_rate() -> None:
    german_business = BillingDetails("DE", is_business=True, business_name="Beispiel GmbH",
                                     tax_id=VALID_VAT["DE"])
    assert policy().treatment(german_business, "EUR").rate == Decimal(19)
    assert not policy().treatment(german_business, "EUR").reverse_charge
    # A consumer who moved from DE to AT pays Austrian VAT from the next order on.
    assert policy().treatment(BillingDetails("AT"), "EUR").rate == Decimal(20)
    assert policy().treatment(BillingDetails("DE"), "EUR").rate == Decimal(19)


def test_an_invalid_vat_id_or_a_consumer_flag_is_never_reverse_charged() -> None:
    bad = BillingDetails("AT", is_business=True, business_name="X", tax_id=INVALID_VAT["AT"])
    consumer_with_id = BillingDetails("AT", is_business=False, tax_id=VALID_VAT["AT"])
    for details in (bad, consumer_with_id):
        treatment = policy().treatment(details, "EUR")
        assert not treatment.reverse_charge and treatment.rate == Decimal(20)


def test_outside_the_eu_the_table_then_its_default_row() -> None:
    assert policy().treatment(BillingDetails("JP"), "JPY").rate == Decimal(10)
    assert policy().treatment(BillingDetails("BR"), "USD").rate == Decimal(0)  # "*"
    assert policy("US").treatment(BillingDetails("AT", is_business=True, business_name="X",
                                                 tax_id=VALID_VAT["AT"]), "EUR").rate == 20
    # Unknown details: taxed at home.
    assert policy().treatment(None, "EUR").rate == Decimal(19)
    assert policy().treatment(BillingDetails(""), "EUR").rate == Decimal(19)


def test_the_tax_is_named_where_it_is_due() -> None:
    assert [tax_kind(c) for c in ("DE", "JP", "US", "AU", "ZZ", "")] == [
        TaxKind.VAT, TaxKind.CONSUMPTION, TaxKind.SALES, TaxKind.GST, TaxKind.TAX, TaxKind.TAX]


@settings(max_examples=400, deadline=None)
@given(seller=st.sampled_from(["DE", "IE", "US", "JP"]),
       country=st.sampled_from(COUNTRIES), business=st.booleans(),
       vat=st.sampled_from(["valid", "invalid", "none"]), currency=st.sampled_from(CURRENCIES),
       charge=st.integers(0, 10**9), credit=st.integers(0, 10**9))
def test_property_never_a_reverse_charge_with_tax_and_sums_always_add_up(
        seller: str, country: str, business: bool, vat: str, currency: str, charge: int,
        credit: int) -> None:
    tax_id = {"valid": VALID_VAT, "invalid": INVALID_VAT}.get(vat, {}).get(country, "")
    details = BillingDetails(country, is_business=business, tax_id=tax_id,
                             business_name="Example Ltd" if business else "")
    treatment = policy(seller).treatment(details, currency)
    # An upgrade's lines: the new plan's rest of the period, less the old plan's unused time.
    lines = [Money(charge, currency), -Money(min(credit, charge), currency)]
    total = lines[0] + lines[1]
    sums = sums_from_gross(total, treatment)
    assert sums.subtotal + sums.tax == sums.total == total  # the lines add up to the total
    # The tax a gross amount contains, worked out independently, half to even.
    with localcontext() as exact:
        exact.prec = 60
        rate = treatment.rate / 100
        expected_tax = (Decimal(total.amount) * rate / (1 + rate)).quantize(
            Decimal(1), rounding=ROUND_HALF_EVEN)
    assert sums.tax.amount == int(expected_tax)
    if treatment.reverse_charge:
        assert treatment.rate == 0 and sums.tax.amount == 0
        assert seller in EU_MEMBER_STATES and country in EU_MEMBER_STATES
        assert country != seller and business and vat == "valid"
    else:
        expected = RATES.get(country if country in RATES else "*")
        assert treatment.rate == expected
    assert 0 <= sums.tax.amount <= total.amount


def test_a_missing_rate_stops_the_portal_at_start_up_naming_every_gap() -> None:
    config = test_config(branding=Branding(country="DE"), tax_rates={"DE": "19"})  # no address
    with pytest.raises(ConfigurationError) as caught:
        Portal(config, store=MemoryStore(), mailer=MemoryMailer(), gateway=TestGateway())
    message = str(caught.value)
    assert caught.value.setting == "tax_rates"
    for gap in ("AT", "FR", "SK", "'*'", "branding.address", "branding.tax_id"):
        assert gap in message
    assert "DE," not in message  # the configured one is not reported


def test_no_merchant_country_or_no_table_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Portal(test_config(branding=Branding(address=("1 Main St",)), tax_rates={"*": "0"}),
               store=MemoryStore(),
               mailer=MemoryMailer(), gateway=TestGateway())
    assert caught.value.setting == "branding.country"
    with pytest.raises(ConfigurationError) as caught:
        Portal(test_config(tax_rates={}), store=MemoryStore(), mailer=MemoryMailer(),
               gateway=TestGateway())
    assert caught.value.setting == "tax_rates"


def test_a_custom_policy_replaces_the_table() -> None:
    class Flat:
        def treatment(self, details: BillingDetails | None, currency: str):  # type: ignore[no-untyped-def]
            return policy().treatment(BillingDetails("DE"), currency)

    portal = Portal(test_config(tax_rates={}), store=MemoryStore(), mailer=MemoryMailer(),
                    gateway=TestGateway(), tax_policy=Flat())
    assert portal is not None


@pytest.mark.parametrize(("table", "fragment"), [
    ({"DE": 19.0}, "not float"),
    ({"Germany": "19"}, "ISO 3166-1"),
    ({"DE": "100"}, "below 100"),
    ({"DE": "-1"}, "below 100"),
    ({"DE": "abc"}, "not a number"),
    ({"DE": "NaN"}, "below 100"),
])
def test_bad_rate_tables_are_refused_naming_the_row(table: dict[str, object],
                                                    fragment: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        test_config(tax_rates=table)
    assert caught.value.setting == "tax_rates"
    assert fragment in str(caught.value)
