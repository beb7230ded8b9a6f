from __future__ import annotations

import re
from datetime import UTC, datetime

import attrs
import pytest

from waffo_portal.core.config import SUPPORTED_LOCALES
from waffo_portal.core.exceptions import MissingGlyphs
from waffo_portal.i18n import get_translations
from waffo_portal.invoices import engine, render
from waffo_portal.invoices.demo import DEMO_BRANDING, DEMO_BUYERS, demo_records
from waffo_portal.invoices.document import build_document

from .helpers import BASE14, fonts_drawing_text, pdf_fonts, pdf_text, squash

REVERSE_CHARGE = ("Reverse charge: VAT to be accounted for by the recipient "
                  "(Article 196, Directive 2006/112/EC)")


def _t(locale: str, message: str) -> str:
    return get_translations(locale, "invoices").gettext(message)


@pytest.mark.parametrize("receipt", [False, True], ids=["invoice", "receipt"])
@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_locale_renders_readable_pdf(locale: str, receipt: bool) -> None:
    order, invoice, payments = demo_records(locale)
    renderer = render.render_receipt_pdf if receipt else render.render_invoice_pdf
    # strict: any character without a glyph, or any xhtml2pdf warning, is an error.
    pdf = renderer(order, invoice, payments, DEMO_BRANDING, locale, strict=True)
    text = squash(pdf_text(pdf))
    title = _t(locale, "Receipt" if receipt else "Invoice")
    assert title != ("Receipt" if receipt else "Invoice") or locale == "en"
    assert squash(title) in text
    assert squash(DEMO_BUYERS[locale].business) in text
    assert squash(DEMO_BUYERS[locale].tax_id) in text
    total = squash(order.total.format(locale.replace("-", "_")))
    if locale == "ar":  # extraction reorders the Arabic currency sign around the digits
        assert "121.80" in text and "د.إ" in text
    else:
        assert total in text
    if receipt:
        assert "4242" in text
    assert len(pdf) <= 50 * 1024


@pytest.mark.parametrize("locale", ["en", "zh-Hans", "ja", "ko", "zh-Hant", "th", "ar"])
def test_fonts_are_embedded_and_never_base14(locale: str) -> None:
    order, invoice, payments = demo_records(locale)
    pdf = render.render_invoice_pdf(order, invoice, payments, DEMO_BRANDING, locale)
    embedded = {name for name, has_file in pdf_fonts(pdf) if has_file}
    drawing = fonts_drawing_text(pdf)
    assert drawing
    assert drawing <= embedded  # every font that draws a glyph ships its font file
    assert not {name.split("+")[-1].lstrip("/") for name in drawing} & BASE14


def test_text_no_font_can_draw_is_a_hard_error_in_strict_mode() -> None:
    order, invoice, payments = demo_records("en")
    details = attrs.evolve(order.billing_details, business_name="Ge'ez ሀገር")  # Ethiopic
    order = attrs.evolve(order, billing_details=details)
    invoice = attrs.evolve(invoice, billing_details=details)
    with pytest.raises(MissingGlyphs) as error:
        render.render_invoice_pdf(order, invoice, payments, DEMO_BRANDING, "en", strict=True)
    assert "U+1200" in str(error.value)


def test_foreign_script_in_buyer_data_uses_another_bundled_font() -> None:
    order, invoice, payments = demo_records("en")
    details = attrs.evolve(order.billing_details, business_name="株式会社テスト")
    order = attrs.evolve(order, billing_details=details)
    invoice = attrs.evolve(invoice, billing_details=details)
    pdf = render.render_invoice_pdf(order, invoice, payments, DEMO_BRANDING, "en", strict=True)
    assert "株式会社テスト" in pdf_text(pdf)


def test_arabic_is_right_to_left_with_mirrored_columns() -> None:
    order, invoice, payments = demo_records("ar")
    html = render.render_invoice_html(order, invoice, payments, DEMO_BRANDING, "ar")
    assert '<html lang="ar" dir="rtl">' in html
    assert '<body dir="rtl">' in html
    ltr = render.render_invoice_html(*demo_records("en"), DEMO_BRANDING, "en")
    assert 'dir="ltr"' in ltr and 'dir="rtl"' not in ltr
    ar_x = _label_positions(render.render_invoice_pdf(order, invoice, payments,
                                                      DEMO_BRANDING, "ar"),
                            _t("ar", "Description"), _t("ar", "Amount"))
    en_x = _label_positions(render.render_invoice_pdf(*demo_records("en"), DEMO_BRANDING, "en"),
                            "Description", "Amount")
    assert en_x[0] < en_x[1]  # description left of amount
    assert ar_x[0] > ar_x[1]  # mirrored: description right of amount


def _label_positions(pdf: bytes, first: str, second: str) -> tuple[float, float]:
    import io
    import unicodedata

    from pypdf import PdfReader

    seen: dict[str, float] = {}

    def visit(text: str, _cm: object, tm: list[float], *_args: object) -> None:
        clean = unicodedata.normalize("NFKC", text).strip()
        for label in (first, second):
            if label not in seen and clean in (label, label[::-1]):
                seen[label] = tm[4]

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return seen[first], seen[second]


@pytest.mark.parametrize("stored", [True, False], ids=["reverse-charged", "taxed"])
def test_reverse_charge_note_comes_from_the_order_never_from_its_details(stored: bool) -> None:
    # An FR business with a VAT id, billed by a DE seller: the details alone would
    # qualify, and the note must still follow only what the order stored.
    order, invoice, payments = demo_records("fr")
    if not stored:
        order = attrs.evolve(order, reverse_charge=False)
    html = render.render_invoice_html(order, invoice, payments, DEMO_BRANDING, "fr")
    note = _t("fr", REVERSE_CHARGE)
    assert (note in html or note.replace("\u00a0", "&nbsp;") in html) is stored


def test_reverse_charge_note_in_pdf_beside_a_zero_tax() -> None:
    order, invoice, payments = demo_records("fr")  # FR business, DE merchant, stored as such
    assert order.reverse_charge and order.tax.amount == 0
    text = squash(pdf_text(render.render_invoice_pdf(order, invoice, payments,
                                                     DEMO_BRANDING, "fr")))
    assert squash("Autoliquidation") in text
    assert squash(f"{_t('fr', 'VAT')} 0 %") in text and squash("0,00 €") in text
    domestic = pdf_text(render.render_invoice_pdf(*demo_records("de"), DEMO_BRANDING, "de"))
    assert "Autoliquidation" not in domestic and squash(REVERSE_CHARGE) not in squash(domestic)
    assert _t("de", REVERSE_CHARGE)[:20] not in domestic


def test_corrected_invoice_keeps_number_and_shows_the_correction_date() -> None:
    order, invoice, payments = demo_records("de")
    revised = attrs.evolve(invoice, revision=1,
                           revised_at=datetime(2026, 4, 17, 8, 0, tzinfo=UTC))
    text = pdf_text(render.render_invoice_pdf(order, revised, payments, DEMO_BRANDING, "de"))
    corrected = _t("de", "Corrected on")
    assert corrected in text and "17. April 2026" in text
    assert invoice.number in text
    original = pdf_text(render.render_invoice_pdf(order, invoice, payments, DEMO_BRANDING, "de"))
    assert corrected not in original and "17. April 2026" not in original


def test_unchanged_invoice_is_served_from_cache() -> None:
    render.CACHE.clear()
    order, invoice, payments = demo_records("ja")
    first = render.render_invoice_pdf(order, invoice, payments, DEMO_BRANDING, "ja")
    second = render.render_invoice_pdf(order, invoice, payments, DEMO_BRANDING, "ja")
    assert second is first
    assert (render.CACHE.misses, render.CACHE.hits) == (1, 1)
    render.render_invoice_pdf(order, invoice, payments, DEMO_BRANDING, "ko")  # other locale
    changed = attrs.evolve(invoice, revision=1, revised_at=invoice.issued_at)
    render.render_invoice_pdf(order, changed, payments, DEMO_BRANDING, "ja")  # other content
    render.render_receipt_pdf(order, invoice, payments, DEMO_BRANDING, "ja")  # other kind
    assert render.CACHE.misses == 4


def test_buyer_text_is_escaped_in_html() -> None:
    order, invoice, payments = demo_records("en")
    details = attrs.evolve(order.billing_details, business_name='<b onmouseover="x">Evil</b>')
    html = render.render_invoice_html(order, attrs.evolve(invoice, billing_details=details),
                                      payments, DEMO_BRANDING, "en")
    assert "<b onmouseover" not in html
    assert "&lt;b onmouseover=&#34;x&#34;&gt;Evil&lt;/b&gt;" in html


def test_logo_comes_from_the_configured_local_file(tmp_path: object) -> None:
    from pathlib import Path

    logo = Path(str(tmp_path)) / "logo.png"
    logo.write_bytes(render.Path(render.BLANK_IMAGE).read_bytes())
    branding = attrs.evolve(DEMO_BRANDING, logo_path=str(logo))
    order, invoice, payments = demo_records("en")
    html = render.render_invoice_html(order, invoice, payments, branding, "en")
    assert re.search(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+"', html)
    callback = render.make_link_callback(str(logo))
    assert callback(render.LOGO_URI, "") == str(logo.resolve())
    pdf = render.render_invoice_pdf(order, invoice, payments, branding, "en", strict=True)
    assert b"/Subtype /Image" in pdf


def test_single_page_invoice_is_laid_out_once_and_says_page_1_of_1(
        monkeypatch: pytest.MonkeyPatch) -> None:
    passes: list[str] = []
    original = engine.convert

    def counting(html: str, logo_path: str, *, strict: bool) -> bytes:
        passes.append(html)
        return original(html, logo_path, strict=strict)

    monkeypatch.setattr(engine, "convert", counting)
    pdf = render.pdf_for(_document("en"), DEMO_BRANDING, strict=True)
    assert len(passes) == 1 and "pdf:pagecount" not in passes[0]
    assert render.page_count(pdf) == 1
    assert "Page 1 of 1" in pdf_text(pdf)


def test_long_invoice_footer_counts_every_page() -> None:
    order, invoice, payments = demo_records("en")
    order = attrs.evolve(order, line_items=order.line_items * 40)
    pdf = render.render_invoice_pdf(order, invoice, payments, DEMO_BRANDING, "en", strict=True)
    pages = render.page_count(pdf)
    assert pages is not None and pages > 1
    text = pdf_text(pdf)
    assert all(f"Page {n} of {pages}" in text for n in range(1, pages + 1))


def _document(locale: str) -> render.InvoiceDocument:
    order, invoice, payments = demo_records(locale)
    return build_document(order, invoice, payments, DEMO_BRANDING, locale)


@pytest.mark.parametrize("locale", ["en", "ar", "th"])
def test_trimmed_default_css_draws_exactly_what_xhtml2pdfs_own_does(
        locale: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from pypdf import PdfReader

    def page_streams(pdf: bytes) -> list[bytes]:
        return [page.get_contents().get_data() for page in PdfReader(io.BytesIO(pdf)).pages]

    order, invoice, payments = demo_records(locale)
    revised = attrs.evolve(invoice, revision=1, revised_at=invoice.issued_at)
    doc = build_document(order, revised, payments, DEMO_BRANDING, locale, "receipt")
    ours = render.pdf_for(doc, DEMO_BRANDING, strict=True)
    monkeypatch.setattr(engine, "pdf_default_css", lambda: None)  # xhtml2pdf's default
    assert page_streams(ours) == page_streams(render.pdf_for(doc, DEMO_BRANDING, strict=True))


def test_pdf_registers_only_the_families_it_draws_with(monkeypatch: pytest.MonkeyPatch) -> None:
    from typing import Any

    from reportlab.pdfbase import pdfmetrics

    from waffo_portal.invoices import fonts

    registered: list[str] = []
    original = pdfmetrics.registerFont

    def counting(font: Any) -> None:
        registered.append(font.fontName)
        original(font)

    monkeypatch.setattr(fonts, "_loaded", set())  # as in a fresh process
    monkeypatch.setattr(pdfmetrics, "registerFont", counting)
    render.pdf_for(_document("th"), DEMO_BRANDING, strict=True)
    bundled = sorted(name for name in registered if name.startswith("WaffoSans"))
    assert bundled == ["WaffoSansThai", "WaffoSansThai-Bold"]  # not the ~20 MB of the others


def test_long_invoice_repeats_the_item_header_on_every_page() -> None:
    import io

    from pypdf import PdfReader

    order, invoice, payments = demo_records("en")
    order = attrs.evolve(order, line_items=order.line_items * 40)
    pdf = render.render_invoice_pdf(order, invoice, payments, DEMO_BRANDING, "en", strict=True)
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) > 1
    assert all("Description" in page.extract_text() for page in pages)
