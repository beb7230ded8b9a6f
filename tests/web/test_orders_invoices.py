from __future__ import annotations

from datetime import timedelta

import pytest

from waffo_portal.testing import PortalKit
from waffo_portal.testing.client import PortalTestClient
from waffo_portal.testing.factories import EPOCH, sample_order


def test_orders_newest_first_with_keyset_pages(buyer: PortalTestClient, kit: PortalKit) -> None:
    for index in range(25):
        kit.store.save_order(sample_order(kit.buyer.id, kit.plans["pro"],
                                          EPOCH + timedelta(days=2, hours=index), f"ord_p{index}"))
    first = buyer.get("/orders")
    links = [link for link in first.links() if "/orders/ord_" in link and "/invoice" not in link]
    assert links[0] == "/billing/orders/ord_p24" and len(links) == 20
    older = next(link for link in first.links() if "after=" in link)
    second = buyer.get(older)
    rest = [link for link in second.links() if "/orders/ord_" in link and "/invoice" not in link]
    assert rest == ["/billing/orders/ord_p4", "/billing/orders/ord_p3", "/billing/orders/ord_p2",
                    "/billing/orders/ord_p1", "/billing/orders/ord_p0", "/billing/orders/ord_3",
                    "/billing/orders/ord_2", "/billing/orders/ord_1"]
    assert "ord_other" not in first.text + second.text


@pytest.mark.parametrize("cursor", ["junk", "99999999999999999999.x", "1.<script>", "", "-1.a"])
def test_bad_cursor_gives_the_first_page(buyer: PortalTestClient, cursor: str) -> None:
    page = buyer.get("/orders", query={"after": cursor})
    assert page.status == 200
    assert "/billing/orders/ord_3" in page.links()


def test_order_detail_with_payments(buyer: PortalTestClient) -> None:
    page = buyer.get("/orders/ord_3")
    assert page.status == 200
    for text in ("Insufficient funds", "MASTERCARD •••• 5454", "VISA •••• 4242",
                 "Refunded $1.00", "Failed", "Succeeded"):
        assert text in page.text


def test_invoice_page_document_and_pdf(buyer: PortalTestClient, kit: PortalKit) -> None:
    page = buyer.get("/orders/ord_1/invoice")
    assert page.status == 200 and "INV-000001" in page.text
    doc = buyer.get("/orders/ord_1/invoice/document", query={"doc_lang": "de"})
    assert doc.status == 200 and 'lang="de"' in doc.text
    csp = doc.header("Content-Security-Policy") or ""
    assert "'sha256-" in csp and "frame-ancestors 'self'" in csp and "unsafe-inline" not in csp
    pdf = buyer.get("/orders/ord_1/invoice/pdf", query={"doc_lang": "ja"})
    assert pdf.status == 200 and pdf.response.body.startswith(b"%PDF")
    assert pdf.header("Content-Type") == "application/pdf"
    assert pdf.header("Content-Disposition") == 'attachment; filename="invoice-INV-000001.pdf"'


def test_revising_billing_details_from_the_invoice_keeps_the_number(
        buyer: PortalTestClient, kit: PortalKit) -> None:
    # The order was billed to a US consumer in California: the address may be corrected.
    page = buyer.get("/orders/ord_1/invoice")
    done = buyer.submit(page, "/orders/ord_1/invoice", {
        "country": "US", "state": "CA", "postal_code": "94107", "name": "Ada Lovelace",
        "address_line1": "1 Market Street", "city": "San Francisco"})
    assert done.location == "/billing/orders/ord_1/invoice?msg=revised"
    invoice = kit.store.get_invoice("ord_1")
    assert invoice is not None and invoice.number == "INV-000001" and invoice.revision == 1
    assert invoice.billing_details is not None
    assert invoice.billing_details.address_line1 == "1 Market Street"
    assert "1 Market Street" in buyer.get("/orders/ord_1/invoice/document").text


def test_a_tax_treatment_change_from_the_invoice_is_refused_with_a_message(
        buyer: PortalTestClient, kit: PortalKit) -> None:
    page = buyer.get("/orders/ord_1/invoice")
    refused = buyer.submit(page, "/orders/ord_1/invoice", {
        "country": "DE", "state": "", "postal_code": "10115", "name": "Ada Lovelace",
        "address_line1": "Dockstraße 1", "city": "Berlin", "is_business": "1",
        "business_name": "Ada GmbH", "tax_id": "DE136695976"})
    assert refused.status == 409
    assert "keeps its country, business status and VAT ID" in refused.text
    invoice = kit.store.get_invoice("ord_1")
    assert invoice is not None and invoice.revision == 0


@pytest.mark.parametrize("path", [
    "/orders/ord_other", "/orders/ord_other/invoice", "/orders/ord_other/invoice/document",
    "/orders/ord_other/invoice/pdf", "/orders/nope"])
def test_another_buyers_orders_are_404(buyer: PortalTestClient, kit: PortalKit,
                                       path: str) -> None:
    answer = buyer.get(path)
    assert answer.status == 404
    assert kit.store.get_invoice("ord_other") is None  # nothing issued for them either


def test_another_buyers_invoice_cannot_be_revised(buyer: PortalTestClient, kit: PortalKit) -> None:
    token = buyer.get("/").csrf_token
    answer = buyer.post("/orders/ord_other/invoice", {"csrf_token": token, "country": "DE"})
    assert answer.status == 404
    assert kit.store.get_billing_details(kit.buyer.id) is None
