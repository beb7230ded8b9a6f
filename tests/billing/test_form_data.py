"""Country and subdivision lists for the form, and the tax information view."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import attrs
import pytest

from waffo_portal.core.billing_details import countries, subdivisions
from waffo_portal.core.models import BillingDetails, OrderStatus
from waffo_portal.core.money import Money
from waffo_portal.testing import PortalKit
from waffo_portal.testing.factories import EPOCH, sample_order
from waffo_portal.use_cases.billing_details import tax_summary


def test_countries_are_localised_and_sorted() -> None:
    german = dict(countries("de"))
    assert german["DE"] == "Deutschland" and german["AT"] == "Österreich"
    names = [name for _code, name in countries("de")]
    # "Österreich" sorts with O, not after Z.
    assert names.index("Oman") < names.index("Österreich") < names.index("Pakistan")
    assert len(names) == len(set(dict(countries("en")))) >= 249


@pytest.mark.parametrize("locale", ["pt-BR", "pt_BR", "zh-Hant", "xx-nope", None, ""])
def test_countries_accept_any_locale_spelling(locale: str | None) -> None:
    assert ("BR", "Brasil") in countries("pt-BR")
    assert len(countries(locale)) >= 249


def test_countries_returns_a_fresh_list() -> None:
    first = countries("en")
    first.clear()
    assert countries("en")


def test_subdivisions() -> None:
    us = dict(subdivisions("us"))
    assert us["US-CA"] == "California" and "US-DC" in us
    assert dict(subdivisions("DE", "de"))["DE-BY"] == "Bayern"
    assert dict(subdivisions("DE", "en"))["DE-BY"] == "Bavaria"
    names = [name for _code, name in subdivisions("CA")]
    assert names == sorted(names)
    assert subdivisions("HK") == [] and subdivisions("ZZ") == [] and subdivisions("USA") == []


def test_portal_form_helpers_use_default_locale(kit: PortalKit) -> None:
    assert ("DE", "Germany") in kit.portal.countries()
    assert ("DE", "Deutschland") in kit.portal.countries("de")
    assert ("JP-13", "Tokyo") in kit.portal.subdivisions("JP")


def test_tax_summary_lists_charged_orders_newest_first(kit: PortalKit) -> None:
    plan = kit.plans["pro"]
    details = BillingDetails("DE", postal_code="10115", tax_id="DE136695976", is_business=True)
    for day in range(5):
        order = attrs.evolve(sample_order(kit.buyer.id, plan, EPOCH + timedelta(days=day),
                                          f"ord_{day}"),
                             tax=Money(0, "USD"), tax_rate=Decimal(0),
                             tax_note="Reverse charge", billing_details=details)
        if day == 2:
            order = attrs.evolve(order, status=OrderStatus.PENDING)
        kit.store.save_order(order)
    taxed = attrs.evolve(sample_order(kit.buyer.id, plan, EPOCH + timedelta(days=9), "ord_9"),
                         tax=Money(380, "USD"), tax_rate=Decimal("19"),
                         total=Money(2380, "USD"))
    kit.store.save_order(taxed)
    kit.store.save_order(sample_order(kit.other_buyer.id, plan, EPOCH, "ord_other"))

    lines = kit.portal.tax_summary(kit.buyer.id, limit=3)
    assert [line.order_id for line in lines] == ["ord_9", "ord_4", "ord_3"]
    assert lines[0].tax == Money(380, "USD") and lines[0].tax_rate == Decimal("19")
    assert lines[1].tax_note == "Reverse charge" and lines[1].country == "DE"
    # Skips the pending order and pages on to fill the limit.
    assert [x.order_id for x in tax_summary(kit.store, kit.buyer.id, 4)] == \
        ["ord_9", "ord_4", "ord_3", "ord_1"]
    assert len(tax_summary(kit.store, kit.buyer.id, 0)) == 1
    assert [x.order_id for x in tax_summary(kit.store, kit.buyer.id, 10)] == \
        ["ord_9", "ord_4", "ord_3", "ord_1", "ord_0"]
    assert tax_summary(kit.store, kit.other_buyer.id, 10)[0].order_id == "ord_other"
    assert tax_summary(kit.store, "nobody", 10) == []
