from __future__ import annotations

import io
import threading
import unicodedata
from importlib import resources
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from waffo_portal.invoices import fonts
from waffo_portal.invoices.fonts import (
    FAMILIES,
    font_family_for,
    missing_glyphs,
    register_fonts,
)
from waffo_portal.invoices.shaping import arabic_shape, thai_preshape

FONT_DIR = resources.files("waffo_portal.invoices") / "fonts"

#: "Invoice", "Total" and friends per supported locale, with a few letters
#: each language is known for (ł ő ğ İ ё ạ ...).
SENTENCES = {
    "en": "Invoice Total Amount due",
    "zh-Hans": "发票 合计 金额 税额 客户 应付款",
    "zh-Hant": "發票 合計 金額 稅額 客戶 應付款",
    "ja": "請求書 合計 金額 税込 お客様 ご請求額 カード",
    "ko": "청구서 합계 금액 세금 고객 결제 똠",
    "th": "ใบแจ้งหนี้ ยอดรวม ภาษีมูลค่าเพิ่ม ผู้ซื้อ ที่นี่ น้ำ ป่า",
    "vi": "Hóa đơn Tổng cộng Thuế giá trị gia tăng Người mua",
    "id": "Faktur Jumlah Total Pajak Pembeli",
    "ms": "Invois Jumlah Cukai Pembeli",
    "es": "Factura Total Impuesto Señor Año",
    "pt-BR": "Fatura Total Cobrança Imposto São Paulo",
    "fr": "Facture Total TVA Société Numéro d’identification œuvre",
    "de": "Rechnung Gesamtbetrag Mehrwertsteuer Straße Größe",
    "ru": "Счёт-фактура Итого НДС Покупатель",
    "pl": "Faktura Razem Podatek Łódź zażółć gęślą jaźń",
    "tr": "Fatura Toplam KDV Müşteri İstanbul ğış",
    "ar": "فاتورة المجموع ضريبة القيمة المضافة العميل ١٢٣",
}
#: Every family must draw these whatever the locale: an invoice in Thai may
#: be billed in euros.
AMOUNTS = "0123456789 € £ ¥ ₩ ₫ ฿ ₺ zł ₽ ﷼ R$ RM Rp $ % # . , - / ( ) – —"

EXPECTED_FAMILY = {
    "en": "WaffoSans",
    "zh-Hans": "WaffoSansCJKSC",
    "zh-Hant": "WaffoSansCJKTC",
    "ja": "WaffoSansCJKJP",
    "ko": "WaffoSansCJKKR",
    "th": "WaffoSansThai",
    "ar": "WaffoSansArabic",
    **dict.fromkeys(("vi", "id", "ms", "es", "pt-BR", "fr", "de", "ru", "pl", "tr"), "WaffoSans"),
}


@pytest.fixture(scope="module", autouse=True)
def _registered() -> None:
    register_fonts()


def test_every_locale_has_a_sentence() -> None:
    assert set(SENTENCES) == set(EXPECTED_FAMILY)


@pytest.mark.parametrize(("locale", "family"), sorted(EXPECTED_FAMILY.items()))
def test_font_family_for_supported_locales(locale: str, family: str) -> None:
    assert font_family_for(locale) == family


@pytest.mark.parametrize(
    ("locale", "family"),
    [
        ("zh", "WaffoSansCJKSC"),
        ("zh_CN", "WaffoSansCJKSC"),
        ("zh-Hans-HK", "WaffoSansCJKSC"),
        ("zh-TW", "WaffoSansCJKTC"),
        ("zh_Hant_HK", "WaffoSansCJKTC"),
        ("zh-HK", "WaffoSansCJKTC"),
        ("ja_JP", "WaffoSansCJKJP"),
        ("KO-kr", "WaffoSansCJKKR"),
        ("ar-SA", "WaffoSansArabic"),
        ("th_TH", "WaffoSansThai"),
        ("pt_BR", "WaffoSans"),
        ("xx", "WaffoSans"),
    ],
)
def test_font_family_for_variants(locale: str, family: str) -> None:
    assert font_family_for(locale) == family


@pytest.mark.parametrize("family", FAMILIES)
def test_family_has_regular_and_bold(family: str) -> None:
    regular = pdfmetrics.getFont(family)
    bold = pdfmetrics.getFont(f"{family}-Bold")
    assert regular.face.name != bold.face.name
    # Same character set, so missing_glyphs may check the regular face only.
    assert set(regular.face.charToGlyph) == set(bold.face.charToGlyph)
    assert pdfmetrics.stringWidth("Total", f"{family}-Bold", 10) > pdfmetrics.stringWidth(
        "Total", family, 10
    )


@pytest.mark.parametrize("locale", sorted(SENTENCES))
def test_family_covers_its_locale(locale: str) -> None:
    family = font_family_for(locale)
    assert missing_glyphs(SENTENCES[locale] + AMOUNTS, family) == set()


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_covers_amounts_and_latin_names(family: str) -> None:
    assert missing_glyphs(AMOUNTS + SENTENCES["vi"] + SENTENCES["pl"], family) == set()


def test_missing_glyphs_reports_uncovered_characters() -> None:
    assert missing_glyphs("Total 合计", "WaffoSans") == {"合", "计"}
    assert missing_glyphs("ราคา\n", "WaffoSansCJKJP") == set("ราคา")
    assert missing_glyphs("line\nbreak\t", "WaffoSans") == set()


def test_missing_glyphs_rejects_unknown_family() -> None:
    with pytest.raises(KeyError, match="Helvetica"):
        missing_glyphs("x", "Helvetica")


def _counting_registry(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Forget which families this process registered; record every registerFont."""
    calls: list[str] = []
    original = pdfmetrics.registerFont

    def counting(font: Any) -> None:
        calls.append(font.fontName)
        original(font)

    monkeypatch.setattr(fonts, "_loaded", set())
    monkeypatch.setattr(pdfmetrics, "registerFont", counting)
    return calls


def test_register_fonts_is_idempotent_and_thread_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting_registry(monkeypatch)
    threads = [threading.Thread(target=register_fonts) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    register_fonts()
    assert sorted(calls) == sorted({*FAMILIES, *(f"{f}-Bold" for f in FAMILIES)})


def test_a_family_is_registered_only_when_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    # A cold start must not parse the multi-megabyte CJK files for a Thai invoice.
    calls = _counting_registry(monkeypatch)
    register_fonts([fonts.THAI])
    register_fonts([fonts.THAI])
    assert sorted(calls) == ["WaffoSansThai", "WaffoSansThai-Bold"]
    with pytest.raises(KeyError, match="Helvetica"):
        register_fonts(["Helvetica"])


def _drawable(locale: str) -> str:
    """The sentence as the renderer receives it (shaped where needed)."""
    text = SENTENCES[locale]
    if locale == "th":
        return thai_preshape(text)
    if locale == "ar":
        return arabic_shape(text)  # the canvas neither joins nor reorders
    return text


def _render(locale: str) -> bytes:
    family = font_family_for(locale)
    buf = io.BytesIO()
    canvas = Canvas(buf)
    for y, name in ((700, family), (650, f"{family}-Bold")):
        canvas.setFont(name, 14)
        canvas.drawString(40, y, _drawable(locale))
    canvas.save()
    return buf.getvalue()


def _font_dicts(reader: PdfReader) -> list[Any]:
    resources_: Any = reader.pages[0]["/Resources"]
    return [font.get_object() for font in resources_["/Font"].values()]


@pytest.mark.parametrize("locale", sorted(SENTENCES))
def test_pdf_embeds_font_and_text_reads_back(locale: str) -> None:
    reader = PdfReader(io.BytesIO(_render(locale)))
    family = font_family_for(locale)
    embedded = [f for f in _font_dicts(reader) if family in str(f["/BaseFont"])]
    assert {str(f["/BaseFont"]).split("+")[1] for f in embedded} == {
        f"{family}-Regular",
        f"{family}-Bold",
    }
    for font in embedded:
        assert "/FontFile2" in font["/FontDescriptor"].get_object()
    text = reader.pages[0].extract_text()
    if locale == "ar":
        # pypdf restores logical order but keeps the drawn Presentation
        # Forms; NFKC folds them back to the letters they are.
        text = unicodedata.normalize("NFKC", text)
    # Thai comes back as real Thai, not the private positioned forms.
    for word in SENTENCES[locale].split()[:-1]:
        assert word in text


def test_font_files_are_licensed_and_within_budget() -> None:
    ttfs = [p for p in FONT_DIR.iterdir() if p.name.endswith(".ttf")]
    assert {p.name for p in ttfs} == {
        f"{family}-{style}.ttf" for family in FAMILIES for style in ("Regular", "Bold")
    }
    for licence in ("NotoSans", "NotoSansThai", "NotoSansArabic", "NotoSansCJK"):
        assert "SIL OPEN FONT LICENSE" in (FONT_DIR / f"OFL-{licence}.txt").read_text().upper()
        assert "GNU General Public" not in (FONT_DIR / f"OFL-{licence}.txt").read_text()
    assert "provenance" in (FONT_DIR / "README.md").read_text().lower()
    total = sum(len(p.read_bytes()) for p in ttfs)
    assert total < 25 * 1024 * 1024


@pytest.mark.parametrize("family", FAMILIES)
def test_bidi_isolates_take_no_room_and_count_as_drawable(family: str) -> None:
    # The templates isolate data in Arabic documents; xhtml2pdf drops the isolates
    # before drawing but measures lines (and picks Arabic joining) by the face's tables.
    from xhtml2pdf.util import font_has_glyph

    for name in (family, f"{family}-Bold"):
        for isolate in "\u2066\u2067\u2068\u2069":
            assert pdfmetrics.stringWidth(isolate, name, 10) == 0
            assert font_has_glyph(name, isolate)
