"""Issued invoices are immutable in substance: name and address may be corrected (same
number, marked as a revision), the tax treatment never; corrections are rate-limited."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from waffo_portal.core.exceptions import Conflict
from waffo_portal.core.models import BillingDetails, Invoice
from waffo_portal.testing import PortalKit, make_kit
from waffo_portal.testing.factories import EPOCH, sample_order, test_config

CONSUMER_DE = BillingDetails("DE", "", "10115", name="Alice Müller",
                             address_line1="Dockstraße 1", city="Berlin")
FORM = {"country": "DE", "postal_code": "10115", "name": "Alice Müller",
        "address_line1": "Dockstraße 1", "city": "Berlin"}
AUSTRIAN_BUSINESS = {"country": "AT", "postal_code": "1010", "name": "Alice Müller",
                     "address_line1": "Stephansplatz 1", "city": "Wien", "is_business": "on",
                     "business_name": "Beispiel GmbH", "tax_id": "ATU13585627"}


def _issued(kit: PortalKit, details: BillingDetails = CONSUMER_DE) -> Invoice:
    order = attrs.evolve(sample_order(kit.buyer.id, kit.plans["basic"], EPOCH, "ord_de"),
                         billing_details=details)
    kit.store.save_order(order)
    kit.store.save_billing_details(kit.buyer.id, details)
    return kit.store.issue_invoice(order, "INV-", EPOCH)


def test_name_and_address_may_be_corrected_keeping_the_number(kit: PortalKit) -> None:
    original = _issued(kit)
    kit.portal.update_billing_details(kit.buyer.id, {**FORM, "address_line1": "Dockstraße 2"},
                                      revise_invoice_order_id="ord_de")
    revised = kit.store.get_invoice("ord_de")
    assert revised is not None
    assert (revised.number, revised.revision) == (original.number, 1)
    assert revised.billing_details is not None
    assert revised.billing_details.address_line1 == "Dockstraße 2"


@pytest.mark.parametrize("change", [
    AUSTRIAN_BUSINESS,  # the reported rewrite: a German consumer invoice to an AT business
    {**FORM, "country": "AT", "postal_code": "1010", "city": "Wien"},  # country only
    {**FORM, "is_business": "on", "business_name": "Müller GmbH",
     "tax_id": "DE136695976"},  # consumer -> business
])
def test_a_change_of_tax_treatment_is_refused_and_writes_nothing(
        kit: PortalKit, change: dict[str, str]) -> None:
    original = _issued(kit)
    audits = kit.store.list_audit_events()
    with pytest.raises(Conflict) as caught:
        kit.portal.update_billing_details(kit.buyer.id, change,
                                          revise_invoice_order_id="ord_de")
    assert caught.value.key == "invoice.tax_treatment_locked"
    assert kit.store.get_invoice("ord_de") == original
    assert kit.store.get_billing_details(kit.buyer.id) == CONSUMER_DE
    assert kit.store.list_audit_events() == audits
    # The same change from the billing page applies to future orders only.
    kit.portal.update_billing_details(kit.buyer.id, change)
    assert kit.store.get_invoice("ord_de") == original


def test_a_vat_id_change_on_a_business_invoice_is_refused(kit: PortalKit) -> None:
    business = BillingDetails("DE", "", "10115", "Müller GmbH", "DE136695976", True,
                              "Alice Müller", "Dockstraße 1", "", "Berlin")
    _issued(kit, business)
    form = {**FORM, "is_business": "on", "business_name": "Müller GmbH",
            "tax_id": "DE129273398"}
    with pytest.raises(Conflict) as caught:
        kit.portal.update_billing_details(kit.buyer.id, form, revise_invoice_order_id="ord_de")
    assert caught.value.key == "invoice.tax_treatment_locked"


def test_corrections_are_limited_per_buyer_and_day() -> None:
    kit = make_kit(config=test_config(invoice_revisions_per_day=2))
    _issued(kit)
    for street in ("Dockstraße 2", "Dockstraße 3"):
        kit.portal.update_billing_details(kit.buyer.id, {**FORM, "address_line1": street},
                                          revise_invoice_order_id="ord_de")
    with pytest.raises(Conflict) as caught:
        kit.portal.update_billing_details(kit.buyer.id, {**FORM, "address_line1": "Dock 4"},
                                          revise_invoice_order_id="ord_de")
    assert caught.value.key == "invoice.revisions_exhausted"
    invoice = kit.store.get_invoice("ord_de")
    assert invoice is not None and invoice.revision == 2
    details = kit.store.get_billing_details(kit.buyer.id)
    assert details is not None and details.address_line1 == "Dockstraße 3"  # not half saved
    kit.clock.advance(timedelta(days=1, seconds=1))
    kit.portal.update_billing_details(kit.buyer.id, {**FORM, "address_line1": "Dock 4"},
                                      revise_invoice_order_id="ord_de")
