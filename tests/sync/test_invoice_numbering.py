"""Synced orders are numbered when they are charged, unless the provider sent its own
invoice; pending orders never are. Runs on every store (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import attrs
import pytest

from waffo_portal import Portal
from waffo_portal.core.exceptions import ValidationError
from waffo_portal.core.models import OrderStatus, PaymentStatus
from waffo_portal.ports import Store

from .records import (
    DETAILS,
    SEPT,
    BillingDetailsRecord,
    buyer_record,
    history,
    invoice_record,
    order_record,
    payment_record,
)


def test_the_providers_invoice_keeps_its_number_and_consumes_none_of_ours(
        portal: Portal, store: Store) -> None:
    portal.sync.apply(history())
    invoice = store.get_invoice("ord_1")
    assert invoice is not None and invoice.number == "ACME-2025-0042"
    later = SEPT + timedelta(days=30)
    portal.sync.apply([order_record("ord_2", created_at=later)])
    second = store.get_invoice("ord_2")
    assert second is not None
    assert (second.number, second.issued_at) == ("INV-000001", later)


def test_a_pending_order_is_numbered_only_once_its_payment_lands(
        portal: Portal, store: Store) -> None:
    base = [buyer_record(), BillingDetailsRecord("cus_1", DETAILS, 1)]
    portal.sync.apply([*base, order_record("ord_1", status=OrderStatus.PENDING)])
    assert store.get_invoice("ord_1") is None
    failed = payment_record()
    failed = attrs.evolve(failed, payment=attrs.evolve(failed.payment,
                                                       status=PaymentStatus.FAILED))
    portal.sync.apply([failed])
    assert store.get_invoice("ord_1") is None
    portal.sync.apply([payment_record(revision=2)])
    invoice = store.get_invoice("ord_1")
    assert invoice is not None and invoice.number == "INV-000001"
    portal.sync.apply([order_record("ord_1", revision=2)])  # the order turns completed
    assert store.get_invoice("ord_1") == invoice  # idempotent: still one number


def test_a_reverse_charged_order_with_tax_is_refused(portal: Portal, store: Store) -> None:
    record = attrs.evolve(order_record(), reverse_charge=True)
    with pytest.raises(ValidationError) as caught:
        portal.sync.apply([buyer_record(), record])
    assert caught.value.keys == {"records[1].tax": "sync.reverse_charge_taxed"}
    untaxed = attrs.evolve(order_record(net=2900, tax=0), reverse_charge=True,
                           tax_rate_percent=Decimal(0))
    portal.sync.apply([buyer_record(), untaxed])
    stored = store.get_order("ord_1")
    assert stored is not None and stored.reverse_charge and not stored.prices_include_tax


def test_a_number_once_issued_is_never_replaced_by_a_late_provider_invoice(
        portal: Portal, store: Store) -> None:
    portal.sync.apply([buyer_record(), order_record()])
    ours = store.get_invoice("ord_1")
    assert ours is not None and ours.number == "INV-000001"
    portal.sync.apply([invoice_record()])  # the provider's "ACME-2025-0042", too late
    assert store.get_invoice("ord_1") == ours
    portal.sync.apply([order_record("ord_2", created_at=SEPT + timedelta(days=1))])
    second = store.get_invoice("ord_2")
    assert second is not None and second.number == "INV-000002"  # no gap
