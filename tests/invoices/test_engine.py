"""engine.py's speed-ups draw exactly what stock xhtml2pdf draws.

Compared as rasterized pages: the fast paths may split a line's text into
different PDF text runs (html5lib cuts text nodes at entities, expat does
not), which changes bytes but not one pixel.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

import attrs
import html5lib
import pytest

from waffo_portal.core.config import SUPPORTED_LOCALES, Branding
from waffo_portal.invoices import engine, render
from waffo_portal.invoices.demo import DEMO_BRANDING, demo_records
from waffo_portal.invoices.document import InvoiceDocument, build_document


def _stock(monkeypatch: pytest.MonkeyPatch, doc: InvoiceDocument,
           branding: Branding = DEMO_BRANDING) -> bytes:
    """The PDF as stock xhtml2pdf draws the template's <br/> lines."""
    with monkeypatch.context() as patch:
        patch.setattr(engine, "convert", functools.partial(engine.convert, fast=False))
        patch.setattr(render, "newline_breaks", lambda _doc: False)
        return render.pdf_for(doc, branding, strict=True)


def _documents(locale: str) -> list[InvoiceDocument]:
    order, invoice, payments = demo_records(locale)
    revised = attrs.evolve(invoice, revision=2, revised_at=invoice.issued_at)
    return [build_document(order, invoice, payments, DEMO_BRANDING, locale),
            build_document(order, revised, payments, DEMO_BRANDING, locale, "receipt")]


@pytest.mark.poppler
@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_fast_path_draws_the_pages_stock_xhtml2pdf_draws(
        locale: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for n, doc in enumerate(_documents(locale)):
        stock = _pages_as_pixels(_stock(monkeypatch, doc), tmp_path / f"stock{n}")
        first = render.pdf_for(doc, DEMO_BRANDING, strict=True)
        again = render.pdf_for(doc, DEMO_BRANDING, strict=True)  # parsed CSS reused
        assert _pages_as_pixels(first, tmp_path / f"first{n}") == stock
        assert _pages_as_pixels(again, tmp_path / f"again{n}") == stock


@pytest.mark.poppler
def test_long_invoice_with_a_logo_draws_what_stock_draws(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(Path(engine.BLANK_IMAGE).read_bytes())
    branding = attrs.evolve(DEMO_BRANDING, logo_path=str(logo))
    order, invoice, payments = demo_records("de")
    order = attrs.evolve(order, line_items=order.line_items * 30)
    doc = build_document(order, invoice, payments, branding, "de")
    stock = _stock(monkeypatch, doc, branding)
    assert render.page_count(stock) not in (None, 1)
    fast = render.pdf_for(doc, branding, strict=True)
    assert _pages_as_pixels(fast, tmp_path / "fast") == _pages_as_pixels(stock, tmp_path / "s")


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_pdf_template_is_parsed_by_expat(locale: str) -> None:
    """Otherwise the identity test above would only compare html5lib with itself."""
    for doc in _documents(locale):
        html = render.html_for(doc, DEMO_BRANDING, for_pdf=True, pages=1)
        assert engine.xhtml_dom(html) is not None


def test_html5lib_fallback_keeps_text_whole() -> None:
    html = "<html><body><p>M&uuml;ller &amp; S&ouml;hne<br>x</p></body></html>"
    assert engine.xhtml_dom(html) is None
    paragraph = engine._parse(html).getElementsByTagName("p")[0]
    assert paragraph.firstChild.data == "Müller & Söhne"


def test_markup_with_a_doctype_or_errors_goes_to_html5lib() -> None:
    assert engine.xhtml_dom('<!DOCTYPE x [<!ENTITY a "b">]><html>&a;</html>') is None
    assert engine.xhtml_dom("<html><body><br></body></html>") is None
    assert engine.xhtml_dom("<html><body><br/></body></html>") is not None


def test_xhtml2pdf_is_stock_again_after_a_render() -> None:
    from xhtml2pdf import context as x_context
    from xhtml2pdf import parser as x_parser

    original_css = x_context.pisaContext._parseCSSSource
    render.pdf_for(_documents("en")[0], DEMO_BRANDING, strict=True)
    assert x_parser.html5lib is html5lib
    assert x_context.pisaContext._parseCSSSource is original_css


def test_only_stylesheets_without_at_rules_are_reused() -> None:
    parsed: list[str] = []

    def parse(_context: object, text: str, _source: str) -> object:
        parsed.append(text)
        return object()

    cache = engine._ParsedCSS(maxsize=2)
    page = "@page { size: a4 }"
    first = cache.parse(parse, None, "p { margin: 0 }", "b1")
    assert cache.parse(parse, None, "p { margin: 0 }", "b1") is first
    cache.parse(parse, None, page, "b0")
    cache.parse(parse, None, page, "b0")
    assert parsed == ["p { margin: 0 }", page, page]
    for text in ("a {}", "b {}", "c {}"):
        cache.parse(parse, None, text, "b1")
    assert cache.parse(parse, None, "p { margin: 0 }", "b1") is not first  # evicted


def _pages_as_pixels(pdf: bytes, folder: Path) -> list[bytes]:
    """Each page rasterized (grey, 100 dpi) by poppler's pdftoppm."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("needs pdftoppm (Debian package poppler-utils)")
    folder.mkdir()
    (folder / "doc.pdf").write_bytes(pdf)
    subprocess.run([pdftoppm, "-r", "100", "-gray", str(folder / "doc.pdf"), str(folder / "p")],
                   check=True, timeout=60)
    return [page.read_bytes() for page in sorted(folder.glob("p-*.pgm"))]


@pytest.mark.poppler
@pytest.mark.parametrize("locale", ["en", "ja", "th", "ru", "vi", "zh-Hant", "de"])
def test_newline_breaks_draw_the_pages_br_elements_draw(
        locale: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    order, invoice, payments = demo_records(locale)
    order = attrs.evolve(order, line_items=order.line_items * 12)  # two pages
    revised = attrs.evolve(invoice, revision=2, revised_at=invoice.issued_at)
    doc = build_document(order, revised, payments, DEMO_BRANDING, locale, "receipt")
    assert "<br/>" not in render.html_for(doc, DEMO_BRANDING, for_pdf=True, pages=1)
    ours = _pages_as_pixels(render.pdf_for(doc, DEMO_BRANDING, strict=True), tmp_path / "ours")

    monkeypatch.setattr(render, "newline_breaks", lambda _doc: False)
    assert "<br/>" in render.html_for(doc, DEMO_BRANDING, for_pdf=True, pages=1)
    with_br = _pages_as_pixels(render.pdf_for(doc, DEMO_BRANDING, strict=True), tmp_path / "br")
    assert len(ours) >= 2
    assert ours == with_br


def test_right_to_left_documents_keep_br_elements() -> None:
    doc = _documents("ar")[0]
    assert "<br/>" in render.html_for(doc, DEMO_BRANDING, for_pdf=True, pages=1)


def test_line_breaks_in_data_do_not_break_pre_line_cells() -> None:
    order, invoice, payments = demo_records("en")
    seats = attrs.evolve(order.line_items[1], description="Acme\r\nWidgets\rLtd\nCo")
    order = attrs.evolve(order, line_items=(order.line_items[0], seats))
    doc = build_document(order, invoice, payments, DEMO_BRANDING, "en")
    html = render.html_for(doc, DEMO_BRANDING, for_pdf=True, pages=1)
    assert "Acme  Widgets Ltd Co" in html


def test_renders_from_many_threads_leave_xhtml2pdf_stock() -> None:
    """The stand-ins are installed and removed under xhtml2pdf's lock, so threads
    rendering at once (ours and a stock conversion) never keep each other's."""
    from concurrent.futures import ThreadPoolExecutor

    from xhtml2pdf import context as x_context
    from xhtml2pdf import parser as x_parser

    original_css = x_context.pisaContext._parseCSSSource
    docs = [doc for locale in ("en", "de", "ja", "th") for doc in _documents(locale)]

    def ours(doc: InvoiceDocument) -> bytes:
        return render.pdf_for(doc, DEMO_BRANDING, strict=True)

    def stock(_: int) -> bytes:
        return engine.convert("<html><body><p>stock</p></body></html>", "", strict=False,
                              fast=False)

    with ThreadPoolExecutor(4) as pool:
        ours_pdfs = list(pool.map(ours, docs * 2))
        stock_pdfs = list(pool.map(stock, range(8)))
    assert all(pdf.startswith(b"%PDF") for pdf in ours_pdfs + stock_pdfs)
    assert x_parser.html5lib is html5lib
    assert x_context.pisaContext._parseCSSSource is original_css
