"""The orders list and order page as a buyer reads them: invoice number, coloured status,
a direct PDF link, partial refunds and failed payments named as such, failure reasons in
words, Latin data isolated in right-to-left pages, and tables that stack on a phone."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import attrs
import pytest

from waffo_portal.core.models import (
    BillingDetails,
    LineItem,
    LineKind,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from waffo_portal.core.money import Money
from waffo_portal.i18n import get_translations
from waffo_portal.testing import PortalKit
from waffo_portal.testing.client import PortalTestClient
from waffo_portal.testing.factories import EPOCH, sample_order


def _row(html: str, order_id: str) -> str:
    found = re.search(rf"<tr>\s*<td[^>]*><a href=\"/billing/orders/{order_id}\">.*?</tr>",
                      html, re.S)
    assert found is not None, order_id
    return found.group(0)


def _declined(kit: PortalKit, reason: str = "insufficient_funds",
              order_id: str = "ord_declined") -> str:
    """A renewal whose card was declined: the order is pending, its one payment failed."""
    plan = kit.plans["pro"]
    line = LineItem("", 1, plan.price, plan.price, plan.id, EPOCH + timedelta(days=30),
                    EPOCH + timedelta(days=60), LineKind.RENEWAL, "Pro")
    order = attrs.evolve(sample_order(kit.buyer.id, plan, EPOCH + timedelta(days=30),
                                      order_id, kit.subscription.id),
                         status=OrderStatus.PENDING, line_items=(line,))
    kit.store.save_order(order)
    kit.store.save_payment(Payment(f"pay_{order_id}", order_id, kit.buyer.id, order.total,
                                   PaymentStatus.FAILED, order.created_at,
                                   method=PaymentMethod("visa", "4242"),
                                   failure_reason=reason))
    return order_id


def test_each_row_shows_the_invoice_number_a_badge_and_a_pdf_link(
        buyer: PortalTestClient) -> None:
    row = _row(buyer.get("/orders").text, "ord_1")
    assert "<bdi>INV-000001</bdi>" in row
    assert '<span class="badge badge-paid">Paid</span>' in row
    link = re.search(r'<a href="/billing/orders/ord_1/invoice/pdf">(.*?)</a>', row, re.S)
    assert link is not None
    # The link's accessible name says which invoice: "PDF Invoice INV-000001".
    assert link.group(1) == 'PDF<span class="visually-hidden"> Invoice INV-000001</span>'
    pdf = buyer.get("/orders/ord_1/invoice/pdf")
    assert pdf.status == 200 and pdf.response.body.startswith(b"%PDF")


def test_the_overview_uses_the_same_table(buyer: PortalTestClient) -> None:
    row = _row(buyer.get("/").text, "ord_1")
    assert "INV-000001" in row and "/billing/orders/ord_1/invoice/pdf" in row


def test_an_order_without_an_invoice_has_no_number_and_no_link(
        buyer: PortalTestClient, kit: PortalKit) -> None:
    order_id = _declined(kit)
    row = _row(buyer.get("/orders").text, order_id)
    assert "/invoice" not in row and "INV-" not in row and "No invoice" in row


def test_a_partial_refund_reads_partially_refunded_and_the_order_shows_the_amount(
        buyer: PortalTestClient) -> None:
    row = _row(buyer.get("/orders").text, "ord_3")  # $1.00 of its total given back
    assert '<span class="badge badge-partially_refunded">Partially refunded</span>' in row
    page = buyer.get("/orders/ord_3").text
    assert '<span class="badge badge-partially_refunded">Partially refunded</span>' in page
    assert re.search(r"<dt>Refunded</dt><dd><bdi>\$1\.00</bdi></dd>", page)


def test_a_full_refund_reads_refunded(buyer: PortalTestClient, kit: PortalKit) -> None:
    order = kit.store.get_order("ord_2")
    assert order is not None
    kit.store.save_order(attrs.evolve(order, status=OrderStatus.REFUNDED))
    row = _row(buyer.get("/orders").text, "ord_2")
    assert '<span class="badge badge-refunded">Refunded</span>' in row


def test_a_declined_renewal_reads_payment_failed_not_pending(
        buyer: PortalTestClient, kit: PortalKit) -> None:
    order_id = _declined(kit)
    row = _row(buyer.get("/orders").text, order_id)
    assert '<span class="badge badge-payment_failed">Payment failed</span>' in row
    assert "Pending" not in row
    page = buyer.get(f"/orders/{order_id}").text
    assert '<span class="badge badge-payment_failed">Payment failed</span>' in page
    assert '<span class="badge badge-failed">Failed</span>' in page


@pytest.mark.parametrize(("reason", "label"), [
    ("insufficient_funds", "Insufficient funds"),
    ("card_declined", "The card was declined"),
    ("stolen_card", "The card was declined"),
    ("some_new_code", "The payment did not go through"),
])
def test_the_order_page_words_the_failure_reason_never_its_code(
        buyer: PortalTestClient, kit: PortalKit, reason: str, label: str) -> None:
    page = buyer.get(f"/orders/{_declined(kit, reason)}").text
    assert f"Reason: {label}" in page and reason not in page


def test_the_failure_reason_is_in_the_pages_language(
        buyer: PortalTestClient, kit: PortalKit) -> None:
    page = buyer.get(f"/orders/{_declined(kit, 'some_new_code')}", query={"lang": "de"}).text
    portal = get_translations("de", "portal").gettext
    reason = portal("Reason: %(reason)s") % {
        "reason": portal("The payment did not go through")}
    assert reason in page and "some_new_code" not in page


def test_cards_invoice_numbers_and_money_are_isolated_in_arabic(
        buyer: PortalTestClient) -> None:
    page = buyer.get("/orders/ord_3", query={"lang": "ar"}).text
    assert 'dir="rtl"' in page
    assert '<bdi dir="ltr">VISA •••• 4242</bdi>' in page
    assert '<bdi dir="ltr">MASTERCARD •••• 5454</bdi>' in page
    assert "<bdi>INV-000003</bdi>" in page
    # An amount inside a translated sentence ("Refunded … on …") is one isolate.
    assert f"\u2068{Money(100, 'USD').format('ar')}\u2069" in page
    invoice = buyer.get("/orders/ord_1/invoice", query={"lang": "ar"}).text
    h1 = re.search(r"<h1>(.*?)</h1>", invoice)
    assert h1 is not None and "\u2068INV-000001\u2069" in h1.group(1)


def test_billing_details_lines_are_isolated(buyer: PortalTestClient, kit: PortalKit) -> None:
    kit.store.save_billing_details(kit.buyer.id, BillingDetails(
        country="DE", postal_code="10115", name="Ada Lovelace", address_line1="1 Dock Road",
        address_line2="Suite 4", city="Berlin", is_business=True, business_name="Ada GmbH",
        tax_id="DE136695976"))
    page = buyer.get("/tax", query={"lang": "ar"}).text
    for value in ("Ada Lovelace", "1 Dock Road", "Suite 4", "Berlin", "10115", "Ada GmbH"):
        assert f"<bdi>{value}</bdi>" in page, value
    assert '<bdi dir="ltr">DE136695976</bdi>' in page


class _Tables(HTMLParser):
    """Per table: its class, and each body cell's data-label (None when missing)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[str | None]]] = []
        self._in_body = False

    def handle_starttag(self, tag: str, attrs_: list[tuple[str, str | None]]) -> None:
        found = dict(attrs_)
        if tag == "table":
            self.tables.append((found.get("class") or "", []))
        elif tag == "tbody":
            self._in_body = True
        elif self._in_body and (tag == "td" or (tag == "th" and found.get("scope") == "row")):
            self.tables[-1][1].append(found.get("data-label"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False


@pytest.mark.parametrize("path", ["/orders", "/orders/ord_3", "/tax", "/"])
def test_data_tables_stack_on_a_phone(buyer: PortalTestClient, path: str) -> None:
    parser = _Tables()
    parser.feed(buyer.get(path, query={"lang": "ja"}).text)
    assert parser.tables, path
    for css_class, labels in parser.tables:
        assert "responsive" in css_class.split()
        assert labels and all(labels), labels


def test_the_tax_table_labels_cells_and_writes_rates_in_the_locale(
        buyer: PortalTestClient) -> None:
    page = buyer.get("/tax", query={"lang": "de"}).text
    portal = get_translations("de", "portal").gettext
    assert f'data-label="{portal("Tax rate")}"' in page
    assert "<bdi>0\xa0%</bdi>" in page  # German puts a (no-break) space before the sign


@pytest.mark.parametrize("locale", ["ja", "ar", "th", "de"])
def test_the_login_error_is_in_the_pages_language(client: PortalTestClient,
                                                   locale: str) -> None:
    page = client.get("/login", query={"lang": locale})
    refused = client.submit(page, "/login", {"email": "not an address"})
    assert refused.status == 422
    expected = get_translations(locale, "portal").gettext("Enter a valid email address")
    assert expected != "Enter a valid email address"
    assert expected in refused.text and "Enter a valid email address" not in refused.text
