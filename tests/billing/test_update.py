"""update_billing_details: atomic writes, masked audit, invoice revision, buyer scoping."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from waffo_portal import Portal
from waffo_portal.core.billing_details import MESSAGES
from waffo_portal.core.exceptions import NotFound, ValidationError
from waffo_portal.core.models import AuditEvent, BillingDetails, Invoice, PortalEvent
from waffo_portal.stores.memory import MemoryStore
from waffo_portal.testing import PortalKit, make_kit
from waffo_portal.testing.factories import EPOCH, sample_order, test_config

GERMAN_BUSINESS = {"name": "Erika Mustermann", "country": "DE",
                   "address_line1": "Unter den Linden 1", "city": "Berlin", "state": "BE",
                   "postal_code": "10115", "is_business": "on",
                   "business_name": "Example GmbH", "tax_id": "DE 136 695 976"}
FULL_TAX_ID = "136695976"
# What an order was billed to before addresses were collected: the same tax treatment
# (country, business, VAT id), so an invoice issued to it may be completed.
BILLED_BEFORE = BillingDetails("DE", "", "10115", "Example GmbH", "DE136695976", True)
UAE_CONSUMER = {"name": "Layla", "country": "AE", "address_line1": "PO Box 1234", "state": "DU"}
UAE_SAVED = BillingDetails("AE", "AE-DU", name="Layla", address_line1="PO Box 1234")


class RecordingSink:
    def __init__(self) -> None:
        self.events: list[PortalEvent] = []

    def emit(self, event: PortalEvent) -> None:
        self.events.append(event)


class AuditFailsStore(MemoryStore):
    """Fails at the last write of the use case, after details and invoice were saved."""

    fail = False

    def add_audit_event(self, event: AuditEvent) -> None:
        if self.fail:
            raise RuntimeError("audit table unavailable")
        super().add_audit_event(event)


def with_sink(kit: PortalKit) -> tuple[Portal, RecordingSink]:
    sink = RecordingSink()
    portal = Portal(test_config(), store=kit.store, mailer=kit.mailer, gateway=kit.gateway,
                    clock=kit.clock, events=sink)
    return portal, sink


def issue(kit: PortalKit, buyer_id: str, order_id: str) -> Invoice:
    order = attrs.evolve(sample_order(buyer_id, kit.plans["basic"], EPOCH, order_id),
                         billing_details=BILLED_BEFORE)
    kit.store.save_order(order)
    return kit.store.issue_invoice(order, "INV-", EPOCH)


def billing_audits(kit: PortalKit) -> list[AuditEvent]:
    return [e for e in kit.store.list_audit_events() if e.action == "billing.updated"]


def test_update_saves_normalised_details(kit: PortalKit) -> None:
    saved = kit.portal.update_billing_details(kit.buyer.id, GERMAN_BUSINESS)
    assert saved == BillingDetails("DE", "DE-BE", "10115", "Example GmbH", "DE136695976", True,
                                   "Erika Mustermann", "Unter den Linden 1", "", "Berlin")
    assert kit.portal.get_billing_details(kit.buyer.id) == saved
    assert kit.portal.get_billing_details(kit.other_buyer.id) is None


def test_invalid_input_writes_nothing(kit: PortalKit) -> None:
    kit.portal.update_billing_details(kit.buyer.id, UAE_CONSUMER)
    before = kit.store.list_audit_events()
    with pytest.raises(ValidationError) as caught:
        kit.portal.update_billing_details(kit.buyer.id, {**GERMAN_BUSINESS,
                                                         "tax_id": "DE136695977"})
    assert caught.value.errors == {"tax_id": MESSAGES["tax_id_checksum"]}
    assert kit.portal.get_billing_details(kit.buyer.id) == UAE_SAVED
    assert kit.store.list_audit_events() == before


def test_audit_records_old_and_new_with_masked_tax_ids(kit: PortalKit) -> None:
    portal, sink = with_sink(kit)
    portal.update_billing_details(kit.buyer.id, GERMAN_BUSINESS)
    portal.update_billing_details(kit.buyer.id, {**GERMAN_BUSINESS, "country": "FR",
                                                 "state": "", "postal_code": "75001",
                                                 "city": "Paris", "tax_id": "FR40303265045"})
    first, second = reversed(billing_audits(kit))
    assert first.old == {} and first.new["tax_id"] == "DE•••••976"
    assert second.actor == f"buyer:{kit.buyer.id}" and second.subject == f"buyer:{kit.buyer.id}"
    assert second.at == kit.clock.now()
    assert second.old["country"] == "DE" and second.new["country"] == "FR"
    assert second.old["tax_id"] == "DE•••••976" and second.new["tax_id"] == "FR•••••045"
    everything = repr(kit.store.list_audit_events()) + repr(sink.events)
    for full in (FULL_TAX_ID, "DE136695976", "303265045"):
        assert full not in everything
    assert [e.type for e in sink.events] == ["billing.updated", "billing.updated"]
    assert sink.events[0].data["tax_id"] == "DE•••••976"


def test_unchanged_details_write_nothing(kit: PortalKit) -> None:
    portal, sink = with_sink(kit)
    portal.update_billing_details(kit.buyer.id, GERMAN_BUSINESS)
    portal.update_billing_details(kit.buyer.id, {**GERMAN_BUSINESS, "tax_id": "DE136695976"})
    assert len(billing_audits(kit)) == 1
    assert len(sink.events) == 1


def test_invoice_revision_keeps_number_and_bumps_revision(kit: PortalKit) -> None:
    original = issue(kit, kit.buyer.id, "ord_1")
    kit.clock.advance(timedelta(days=3))
    portal, sink = with_sink(kit)
    saved = portal.update_billing_details(kit.buyer.id, GERMAN_BUSINESS,
                                          revise_invoice_order_id="ord_1")
    revised = kit.store.get_invoice("ord_1")
    assert revised is not None
    assert revised.number == original.number
    assert revised.issued_at == original.issued_at
    assert revised.billing_details == saved
    assert (revised.revision, revised.revised_at) == (1, kit.clock.now())
    audit = billing_audits(kit)[0]
    assert audit.new["invoice"] == original.number and audit.new["invoice_revision"] == "1"
    assert sink.events[0].data["invoice"] == original.number
    # The order keeps what was billed at the time.
    order = kit.store.get_order("ord_1")
    assert order is not None and order.billing_details == BILLED_BEFORE

    kit.clock.advance(timedelta(hours=1))
    portal.update_billing_details(kit.buyer.id, {**GERMAN_BUSINESS, "business_name": "Ex AG"},
                                  revise_invoice_order_id="ord_1")
    again = kit.store.get_invoice("ord_1")
    assert again is not None and again.number == original.number
    assert (again.revision, again.revised_at) == (2, kit.clock.now())
    assert again.billing_details is not None and again.billing_details.business_name == "Ex AG"


def test_revision_only_when_the_invoice_changes(kit: PortalKit) -> None:
    issue(kit, kit.buyer.id, "ord_1")
    kit.portal.update_billing_details(kit.buyer.id, GERMAN_BUSINESS,
                                      revise_invoice_order_id="ord_1")
    kit.portal.update_billing_details(kit.buyer.id, GERMAN_BUSINESS,
                                      revise_invoice_order_id="ord_1")
    invoice = kit.store.get_invoice("ord_1")
    assert invoice is not None and invoice.revision == 1


def test_saved_details_can_still_be_applied_to_an_older_invoice(kit: PortalKit) -> None:
    kit.portal.update_billing_details(kit.buyer.id, GERMAN_BUSINESS)
    issue(kit, kit.buyer.id, "ord_1")  # issued with the order's details, without an address
    kit.portal.update_billing_details(kit.buyer.id, GERMAN_BUSINESS,
                                      revise_invoice_order_id="ord_1")
    invoice = kit.store.get_invoice("ord_1")
    assert invoice is not None and invoice.revision == 1
    assert invoice.billing_details is not None and invoice.billing_details.city == "Berlin"


@pytest.mark.parametrize("order_id", ["ord_other", "ord_missing", "ord_no_invoice"])
def test_other_buyers_or_missing_invoice_is_not_found_and_nothing_written(
        kit: PortalKit, order_id: str) -> None:
    other_invoice = issue(kit, kit.other_buyer.id, "ord_other")
    kit.store.save_order(sample_order(kit.buyer.id, kit.plans["basic"], EPOCH, "ord_no_invoice"))
    with pytest.raises(NotFound) as caught:
        kit.portal.update_billing_details(kit.buyer.id, GERMAN_BUSINESS,
                                          revise_invoice_order_id=order_id)
    assert caught.value.status_code == 404
    assert kit.portal.get_billing_details(kit.buyer.id) is None
    assert kit.store.get_invoice("ord_other") == other_invoice
    assert billing_audits(kit) == []


def test_failure_after_saving_rolls_everything_back() -> None:
    store = AuditFailsStore()
    kit = make_kit(store)
    kit.portal.update_billing_details(kit.buyer.id, UAE_CONSUMER)
    original = issue(kit, kit.buyer.id, "ord_1")
    store.fail = True
    with pytest.raises(RuntimeError):
        kit.portal.update_billing_details(kit.buyer.id, GERMAN_BUSINESS,
                                          revise_invoice_order_id="ord_1")
    assert kit.portal.get_billing_details(kit.buyer.id) == UAE_SAVED
    assert kit.store.get_invoice("ord_1") == original
    store.fail = False
    assert len(billing_audits(kit)) == 1  # only the first, successful update


def test_event_sink_failure_does_not_undo_the_update(kit: PortalKit) -> None:
    class Broken:
        def emit(self, event: PortalEvent) -> None:
            raise RuntimeError("sink down")

    portal = Portal(test_config(), store=kit.store, mailer=kit.mailer, gateway=kit.gateway,
                    clock=kit.clock, events=Broken())
    portal.update_billing_details(kit.buyer.id, GERMAN_BUSINESS)
    details = kit.portal.get_billing_details(kit.buyer.id)
    assert details is not None and details.tax_id == "DE136695976"


def test_invoice_of_other_buyer_via_mismatched_invoice_record(kit: PortalKit) -> None:
    # Defence in depth: an invoice row whose buyer differs from the order's is refused too.
    issue(kit, kit.buyer.id, "ord_1")
    invoice = kit.store.get_invoice("ord_1")
    assert invoice is not None
    kit.store.save_invoice(attrs.evolve(invoice, buyer_id=kit.other_buyer.id))
    with pytest.raises(NotFound):
        kit.portal.update_billing_details(kit.buyer.id, GERMAN_BUSINESS,
                                          revise_invoice_order_id="ord_1")
