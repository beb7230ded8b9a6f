"""What an accountant signs: every rule of the document, read back from the PDF."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest

from waffo_portal.core.models import LineItem, OrderStatus, PaymentStatus
from waffo_portal.core.money import Money
from waffo_portal.i18n import get_translations
from waffo_portal.invoices import document, render
from waffo_portal.invoices.demo import DEMO_BRANDING
from waffo_portal.invoices.document import build_document

from .helpers import pdf_text, squash
from .samples import (
    ORDER_ID,
    STORED_TEXT,
    card_payment,
    details,
    invoice_for,
    renewal_and_setup_order,
    upgrade_order,
)


def _t(locale: str, message: str) -> str:
    return get_translations(locale, "invoices").gettext(message)


def _pdf(order: Any, payments: Any = None, locale: str = "en", *, receipt: bool = False,
         **invoice: Any) -> str:
    payments = [card_payment(order)] if payments is None else payments
    renderer = render.render_receipt_pdf if receipt else render.render_invoice_pdf
    pdf = renderer(order, invoice_for(order, **invoice), payments, DEMO_BRANDING, locale,
                   strict=True)
    return pdf_text(pdf)


@pytest.mark.parametrize("receipt", [False, True], ids=["invoice", "receipt"])
@pytest.mark.parametrize("locale", ["en", "de", "ar"])
def test_no_internal_order_id_is_printed(locale: str, receipt: bool) -> None:
    order = upgrade_order()
    payments = [card_payment(order)]
    html = (render.render_receipt_html if receipt else render.render_invoice_html)(
        order, invoice_for(order), payments, DEMO_BRANDING, locale)
    text = squash(_pdf(order, payments, locale, receipt=receipt))
    assert "INV-000007" in text and "INV-000007" in html  # the number is what identifies it
    assert ORDER_ID not in text and ORDER_ID not in html


def test_portal_lines_are_worded_from_their_kind_not_from_stored_text() -> None:
    text = _pdf(upgrade_order())
    assert "Pro, remaining time" in text and "Unused time on Starter" in text
    renewal = _pdf(renewal_and_setup_order())
    assert "Pro, renewal" in renewal
    assert "Setup fee" in renewal  # a custom line prints the merchant's text
    assert STORED_TEXT not in text + renewal


def test_german_rows_are_worded_by_gettext_at_display_time(
        monkeypatch: pytest.MonkeyPatch) -> None:
    order = upgrade_order()
    text = _pdf(order, locale="de")
    assert _t("de", "Invoice") == "Rechnung" and "Rechnung" in text  # a German document
    expected = _t("de", "{plan}, remaining time").replace("{plan}", "Pro")
    assert expected in text and STORED_TEXT not in text
    # Whatever the catalog says is what the row says (the msgids are translated later).
    real = document.get_translations
    german = {"{plan}, remaining time": "{plan}, Restlaufzeit",
              "Unused time on {plan}": "Nicht genutzte Zeit: {plan}"}

    class Catalog:
        def __init__(self, locale: str, domain: str) -> None:
            self.base = real(locale, domain)

        def gettext(self, message: str) -> str:
            return german.get(message) or str(self.base.gettext(message))

    monkeypatch.setattr(document, "get_translations", Catalog)
    translated = _pdf(order, locale="de")
    assert "Pro, Restlaufzeit" in translated and "Nicht genutzte Zeit: Starter" in translated


@pytest.mark.parametrize(("locale", "period"), [
    ("en", "January 15, 2026 – February 1, 2026"),
    ("de", "15. Januar 2026 – 1. Februar 2026"),
])
def test_every_line_with_a_service_period_prints_it(locale: str, period: str) -> None:
    assert _pdf(upgrade_order(), locale=locale).count(period) == 2  # both lines
    one = _pdf(renewal_and_setup_order(), locale=locale)
    assert one.count(period) == 1  # the setup fee has none


@pytest.mark.parametrize(("country", "label"), [
    ("DE", "VAT 19%"), ("JP", "Consumption tax 19%"), ("US", "Sales tax 19%"),
    ("AU", "GST 19%"),
    ("", "VAT 19%"),  # no buyer country: taxed at home, where the seller (IE) is
    ("ZZ", "Tax 19%"),
])
def test_the_tax_is_named_for_the_buyers_country(country: str, label: str) -> None:
    order = upgrade_order(billing_details=details(country))
    doc = build_document(order, invoice_for(order), [card_payment(order)], DEMO_BRANDING, "en")
    assert f"Includes {label}" in [line.label for line in doc.sums]


def test_gross_order_lines_add_up_to_the_total_that_includes_the_tax() -> None:
    order = upgrade_order()
    text = squash(_pdf(order))
    total = Money.zero("EUR")
    for line in order.line_items:
        assert squash(line.amount.format("en")) in text
        total = total + line.amount
    assert total == order.total  # 33.32 - 13.32 = 20.00
    # Total first, then the tax it contains and the net amount, each label beside its
    # amount: never a subtotal the lines do not add up to.
    assert squash("Total €20.00 Includes VAT 19% €3.19 Net amount €16.81 Currency EUR") in text
    assert "Subtotal" not in text


def test_net_order_lines_add_up_to_the_subtotal_before_the_tax() -> None:
    order = renewal_and_setup_order()
    text = squash(_pdf(order))
    assert squash("Subtotal €25.00 VAT 19% €4.75 Total €29.75 Currency EUR") in text
    assert "Includes" not in text


def test_receipt_shows_paid_date_method_refunds_and_net_paid() -> None:
    order = upgrade_order()
    text = _pdf(order, [card_payment(order, 500)], receipt=True)
    flat = squash(text)
    assert squash("Amount paid Paid on Payment method Refunded on January 20, 2026 Net paid") \
        in flat
    assert squash("€20.00 January 15, 2026 Visa •••• 4242 -€5.00 €15.00") in flat


def test_receipt_without_refunds_lists_no_net_paid() -> None:
    order = upgrade_order()
    flat = squash(_pdf(order, receipt=True))
    assert squash("€20.00 January 15, 2026 Visa •••• 4242") in flat
    assert "Netpaid" not in flat and "Refundedon" not in flat


@pytest.mark.parametrize(("refunds", "status"), [
    ((), "Paid"), ((500,), "Partially refunded"), ((500, 1500), "Refunded"),
])
def test_status_is_the_settlement_so_a_partial_refund_is_not_paid(
        refunds: tuple[int, ...], status: str) -> None:
    order = upgrade_order()
    for receipt in (False, True):
        text = squash(_pdf(order, [card_payment(order, *refunds)], receipt=receipt))
        # The details column: number, issue date, status, then the buyer.
        assert squash(f"INV-000007 January 15, 2026 {status} Bill to") in text


def test_an_order_that_took_no_money_has_no_receipt() -> None:
    order = upgrade_order(status=OrderStatus.PENDING)  # a declined renewal
    declined = [card_payment(order, status=PaymentStatus.FAILED)]
    with pytest.raises(ValueError, match="payment_failed"):
        build_document(order, invoice_for(order), declined, DEMO_BRANDING, "en", "receipt")
    text = squash(_pdf(order, declined))  # the invoice still says what is owed
    assert squash("January 15, 2026 Payment failed Bill to") in text


def test_reverse_charge_note_only_when_the_order_stored_it_with_zero_tax() -> None:
    note = "Reverse charge: VAT to be accounted for by the recipient"
    business = details("FR", is_business=True, business_name="Société SARL",
                       tax_id="FR40303265045")
    charged = upgrade_order(billing_details=business, reverse_charge=True, tax=Money.zero("EUR"),
                            subtotal=Money(2000, "EUR"), tax_rate=Decimal(0))
    text = squash(_pdf(charged))
    assert squash(note) in text
    assert squash("Total €20.00 Includes VAT 0% €0.00 Net amount €20.00") in text
    # The same details on an order made without it: no note, whatever the details say.
    taxed = upgrade_order(billing_details=business)
    assert squash(note) not in squash(_pdf(taxed))


def test_buyer_block_is_the_postal_address_with_tax_id_for_a_business() -> None:
    business = details(is_business=True, business_name="Muster GmbH", tax_id="DE136695976")
    order = upgrade_order(billing_details=business)
    text = squash(_pdf(order))
    assert squash("Bill to Erika Mustermann Muster GmbH 1 Dock Road") in text
    assert squash("VAT ID: DE136695976") in text and squash("VAT ID: DE811907980") in text
    consumer = squash(_pdf(upgrade_order(billing_details=attrs.evolve(
        business, is_business=False))))
    assert "DE136695976" not in consumer and "MusterGmbH" not in consumer


def test_arabic_pdf_keeps_latin_data_in_reading_order() -> None:
    order = upgrade_order(billing_details=details("AE", postal_code="", city="Dubai"))
    text = _pdf(order, [card_payment(order, 500)], "ar", receipt=True)
    assert "1 Dock Road" in text and "Dock Road 1" not in text
    assert "10117 Berlin" in text and "Berlin 10117" not in text  # the seller's address
    assert "Visa •••• 4242" in text and "INV-000007" in text
    assert "Erika Mustermann" in text


def test_arabic_wording_isolates_the_plan_name() -> None:
    item = LineItem("", 1, Money(100, "EUR"), Money(100, "EUR"), kind=upgrade_order()
                    .line_items[0].kind, plan_name="Pro (monthly)")
    from waffo_portal.invoices.wording import FSI, PDI, line_description

    worded = line_description(item, lambda message: message, rtl=True)
    assert f"{FSI}Pro (monthly){PDI}" in worded
    assert FSI not in line_description(item, lambda message: message)


def test_isolates_take_no_room_in_the_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    # A Latin name reads the same with or without its isolate, so it must be drawn at
    # the same place: a face that measured the invisible isolates would push it aside.
    import io

    from pypdf import PdfReader

    def x_of(text: str, pdf: bytes) -> float:
        found: list[float] = []

        def visit(drawn: str, _cm: object, tm: list[float], *_args: object) -> None:
            if drawn.strip() == text:
                found.append(tm[4])

        PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
        assert len(found) == 1
        return found[0]

    order = upgrade_order(billing_details=details("AE", postal_code="", city="Dubai"))
    doc = build_document(order, invoice_for(order), [card_payment(order)], DEMO_BRANDING, "ar")
    isolated = render.pdf_for(doc, DEMO_BRANDING, strict=True)
    monkeypatch.setattr(render, "isolate", lambda text: text)
    plain = render.pdf_for(doc, DEMO_BRANDING, strict=True)
    assert isolated != plain
    assert x_of("Erika Mustermann", isolated) == pytest.approx(x_of("Erika Mustermann", plain))
