"""The web download of a large document: "being prepared" (202, Retry-After) in the buyer's
language, then the PDF."""

from __future__ import annotations

import time
from collections.abc import Iterator

import attrs
import pytest

from waffo_portal.core.models import BACKGROUND_LINE_ITEMS
from waffo_portal.invoices import background, render
from waffo_portal.testing import PortalKit
from waffo_portal.testing.client import PortalTestClient


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    render.CACHE.clear()
    yield
    background.BACKGROUND.close()


def test_a_large_pdf_is_prepared_then_downloaded(buyer: PortalTestClient,
                                                 kit: PortalKit) -> None:
    order = kit.store.get_order("ord_1")
    assert order is not None
    kit.store.save_order(attrs.evolve(
        order, line_items=order.line_items * (BACKGROUND_LINE_ITEMS + 1)))
    query = {"doc_lang": "de", "lang": "de"}
    first = buyer.get("/orders/ord_1/invoice/pdf", query=query)
    assert first.status == 202
    assert first.header("Retry-After") == "2"
    assert "Ihr Dokument wird vorbereitet" in first.text
    assert 'href="/billing/orders/ord_1/invoice/pdf?doc_lang=de"' in first.text
    deadline = time.monotonic() + 90
    answer = first
    while answer.status == 202 and time.monotonic() < deadline:
        time.sleep(0.05)
        answer = buyer.get("/orders/ord_1/invoice/pdf", query=query)
    assert answer.status == 200 and answer.response.body.startswith(b"%PDF")
    assert answer.header("Content-Disposition") == 'attachment; filename="invoice-INV-000001.pdf"'
