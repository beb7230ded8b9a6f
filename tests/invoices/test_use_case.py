from __future__ import annotations

import attrs
import pytest

from waffo_portal.cli import main
from waffo_portal.core.exceptions import Conflict, NotFound
from waffo_portal.core.models import Payment, PaymentStatus
from waffo_portal.testing import PortalKit
from waffo_portal.testing.factories import EPOCH, sample_order

from .helpers import pdf_text


def _order(kit: PortalKit, order_id: str = "ord_1", *, paid: bool = True) -> str:
    order = sample_order(kit.buyer.id, kit.plans["basic"], EPOCH, order_id)
    kit.store.save_order(order)
    if paid:  # invoices are numbered when the order is paid
        kit.store.save_payment(Payment(f"pay_{order_id}", order_id, kit.buyer.id, order.total,
                                       PaymentStatus.SUCCEEDED, EPOCH))
        kit.portal.issue_invoice(order_id)
    return order_id


def test_invoice_is_numbered_once_and_scoped_to_the_buyer(kit: PortalKit) -> None:
    first = kit.portal.get_invoice(kit.buyer.id, _order(kit))
    again = kit.portal.get_invoice(kit.buyer.id, "ord_1")
    second = kit.portal.get_invoice(kit.buyer.id, _order(kit, "ord_2"))
    assert first == again and first.number == "INV-000001" and second.number == "INV-000002"
    with pytest.raises(NotFound):
        kit.portal.get_invoice(kit.other_buyer.id, "ord_1")
    with pytest.raises(NotFound):
        kit.portal.render_invoice_pdf(kit.other_buyer.id, "ord_1")
    with pytest.raises(NotFound):
        kit.portal.get_invoice(kit.buyer.id, "ord_missing")


def test_an_unpaid_order_has_neither_invoice_nor_receipt(kit: PortalKit) -> None:
    order_id = _order(kit, "ord_unpaid", paid=False)
    with pytest.raises(Conflict):
        kit.portal.render_invoice_pdf(kit.buyer.id, order_id, receipt=True)
    assert kit.store.get_invoice(order_id) is None


def test_locale_is_explicit_then_buyer_preference_then_default(kit: PortalKit) -> None:
    order_id = _order(kit)
    kit.store.save_buyer(attrs.evolve(kit.buyer, locale="de"))
    assert "Rechnung" in pdf_text(kit.portal.render_invoice_pdf(kit.buyer.id, order_id))
    assert "Facture" in pdf_text(kit.portal.render_invoice_pdf(kit.buyer.id, order_id, "fr"))
    kit.store.save_buyer(attrs.evolve(kit.buyer, locale=None))
    html = kit.portal.render_invoice_html(kit.buyer.id, order_id, receipt=True)
    assert "<h1>Receipt</h1>" in html and 'lang="en"' in html


def test_bill_to_names_the_buyer_with_markup_escaped(kit: PortalKit) -> None:
    order_id = _order(kit)
    kit.store.save_buyer(attrs.evolve(kit.buyer, name="Ada <b>Lovelace</b>"))
    text = pdf_text(kit.portal.render_invoice_pdf(kit.buyer.id, order_id))
    assert "Ada <b>Lovelace</b>" in text and "ada@example.com" in text
    html = kit.portal.render_invoice_html(kit.buyer.id, order_id)
    assert "<bdi>Ada &lt;b&gt;Lovelace&lt;/b&gt;</bdi><br>" in html
    assert "<bdi>ada@example.com</bdi><br>" in html


def test_cli_renders_the_demo(tmp_path: object) -> None:
    from pathlib import Path

    out = Path(str(tmp_path)) / "ja.pdf"
    assert main(["render-invoice", "--demo", "--locale", "ja", "--receipt", "-o", str(out)]) == 0
    text = pdf_text(out.read_bytes())
    assert "領収書" in text and "株式会社さくらソフト" in text
    assert main(["render-invoice", "--demo", "--locale", "tlh", "-o", str(out)]) == 2
