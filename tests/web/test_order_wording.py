"""Pages print orders as the invoice does: lines worded in the page's language, the
settlement instead of the raw status, and a receipt only for an order that took money."""

from __future__ import annotations

import re
from datetime import timedelta

import attrs

from waffo_portal.core.models import (
    LineItem,
    LineKind,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from waffo_portal.i18n import get_translations
from waffo_portal.testing import PortalKit
from waffo_portal.testing.client import PortalTestClient
from waffo_portal.testing.factories import EPOCH, sample_order

STORED = "STORED ENGLISH TEXT"


def _t(locale: str, message: str) -> str:
    return get_translations(locale, "invoices").gettext(message)


def _row(html: str, order_id: str) -> str:
    """The orders table's row that links to ``order_id``."""
    found = re.search(rf"<tr>\s*<td[^>]*><a href=\"/billing/orders/{order_id}\">.*?</tr>", html,
                      re.S)
    assert found is not None, order_id
    return found.group(0)


def _declined_renewal(kit: PortalKit, order_id: str = "ord_declined") -> str:
    """A renewal the portal made whose card was declined: pending, no money taken."""
    plan = kit.plans["pro"]
    line = LineItem(STORED, 1, plan.price, plan.price, plan.id, EPOCH + timedelta(days=30),
                    EPOCH + timedelta(days=58), LineKind.RENEWAL, "Pro")
    order = attrs.evolve(sample_order(kit.buyer.id, plan, EPOCH + timedelta(days=30), order_id,
                                      kit.subscription.id),
                         status=OrderStatus.PENDING, line_items=(line,))
    kit.store.save_order(order)
    kit.store.save_payment(Payment("pay_declined", order_id, kit.buyer.id, order.total,
                                   PaymentStatus.FAILED, order.created_at,
                                   method=PaymentMethod("visa", "4242")))
    return order_id


def test_orders_list_prints_worded_lines_and_the_settlement(
        buyer: PortalTestClient, kit: PortalKit) -> None:
    order_id = _declined_renewal(kit)
    html = buyer.get("/orders").text
    declined = _row(html, order_id)
    assert "Pro, renewal" in declined and STORED not in html
    assert "Payment failed" in declined and "Paid" not in declined
    # ord_3 was paid and then partly refunded: it is not "Paid".
    refunded = _row(html, "ord_3")
    assert "Partially refunded" in refunded and ">Paid<" not in refunded
    assert '<span class="badge badge-paid">Paid</span>' in _row(html, "ord_1")


def test_overview_lists_orders_the_same_way(buyer: PortalTestClient, kit: PortalKit) -> None:
    order_id = _declined_renewal(kit)
    html = buyer.get("/").text
    assert "Pro, renewal" in _row(html, order_id) and "Payment failed" in _row(html, order_id)
    assert "Partially refunded" in _row(html, "ord_3")


def test_pages_word_orders_in_the_pages_language(
        buyer: PortalTestClient, kit: PortalKit) -> None:
    order_id = _declined_renewal(kit)
    html = buyer.get("/orders", query={"lang": "de"}).text
    assert _t("de", "Paid") != "Paid" and f">{_t('de', 'Paid')}</span>" in _row(html, "ord_1")
    worded = _t("de", "{plan}, renewal").replace("{plan}", "Pro")
    assert worded in _row(html, order_id) and STORED not in html


def test_order_page_settles_words_and_offers_an_invoice_only_when_charged(
        buyer: PortalTestClient, kit: PortalKit) -> None:
    order_id = _declined_renewal(kit)
    page = buyer.get(f"/orders/{order_id}").text
    assert "Pro, renewal" in page and "Payment failed" in page and STORED not in page
    assert "/invoice" not in page
    paid = buyer.get("/orders/ord_3").text
    assert "Partially refunded" in paid and "/billing/orders/ord_3/invoice" in paid


def test_invoice_page_offers_a_receipt_only_for_an_order_that_took_money(
        buyer: PortalTestClient, kit: PortalKit) -> None:
    assert '<option value="receipt"' in buyer.get("/orders/ord_1/invoice").text
    # An invoice numbered before numbering moved to payment time, for a declined renewal.
    order_id = _declined_renewal(kit)
    order = kit.store.get_order(order_id)
    assert order is not None
    kit.store.issue_invoice(order, kit.portal.config.invoice_prefix, order.created_at)
    page = buyer.get(f"/orders/{order_id}/invoice", query={"type": "receipt"}).text
    assert '<option value="receipt"' not in page
    assert "/invoice/document?doc_lang=en\"" in page  # the document shown is the invoice
    assert "invoice/document?doc_lang=en&amp;type=receipt" not in page
