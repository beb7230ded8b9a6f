"""The invoices docs/invoices.md shows: each image exists, and each document, read back
from its PDF, says what the page claims (tax named, parties, reading order)."""

from __future__ import annotations

import importlib.util
import io
import re
from pathlib import Path
from types import ModuleType

import pytest
from pypdf import PdfReader

from waffo_portal.invoices.render import render_invoice_pdf, render_receipt_pdf

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_invoices",
                                                  ROOT / "scripts" / "docs_invoices.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_every_image_the_page_shows_is_there() -> None:
    page = (ROOT / "docs" / "invoices.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\((images/[^)]+)\)", page)
    assert {"images/invoice-de-b2b.png", "images/invoice-ja.png",
            "images/receipt-ar.png"} <= set(images)
    for image in images:
        assert (ROOT / "docs" / image).read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(("builder", "locale", "receipt", "expected"), [
    ("german_b2b", "de", False, ["USt. 19", "USt-IdNr.", "DE129273398", "Marienplatz 8",
                                "80331 München", "Nettobetrag", "39,50", "25,00"]),
    ("japanese", "ja", False, ["消費税", "丸の内1-1-1", "株式会社さくらソフト", "￥3,300",
                               "￥300"]),
    ("arabic", "ar", True, ["2233 King Fahd Road", "4242", "Riyadh"]),
])
def test_the_documented_examples_say_what_the_page_claims(
        builder: str, locale: str, receipt: bool, expected: list[str]) -> None:
    order, invoice, payments, branding, buyer = getattr(_script(), builder)()
    render = render_receipt_pdf if receipt else render_invoice_pdf
    text = _text(render(order, invoice, payments, branding, locale, buyer=buyer))
    for fragment in expected:
        assert fragment in text, (fragment, text)
    assert order.id not in text  # internal ids are never printed
