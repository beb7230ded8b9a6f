from __future__ import annotations

from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waffo_portal.invoices.shaping import (
    PUA_START,
    THAI_FORMS,
    THAI_PUA_TO_CHAR,
    arabic_shape,
    thai_form,
    thai_preshape,
    thai_unshape,
)

THAI_TEXT = st.text(alphabet=st.characters(min_codepoint=0x0E01, max_codepoint=0x0E5B))


def test_form_table_is_consistent() -> None:
    keys = [f.key for f in THAI_FORMS]
    assert len(keys) == len(set(keys))
    assert sorted(THAI_PUA_TO_CHAR) == [chr(PUA_START + i) for i in range(len(THAI_FORMS))]
    # Every code point stays in the BMP Private Use Area.
    assert PUA_START >= 0xE000 and PUA_START + len(THAI_FORMS) <= 0xF8FF
    for form in THAI_FORMS:
        assert form.char in form.sample


@pytest.mark.parametrize("text", ["", "Invoice 123 € ¥", "فاتورة", "发票", "กา", "ก่", "กิ", "คุณ"])
def test_text_without_collisions_is_unchanged(text: str) -> None:
    assert thai_preshape(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Tone mark over an upper vowel goes up.
        ("นี่", "นี" + thai_form("high:่")),
        ("หนี้", "หนี" + thai_form("high:้")),
        ("สิทธิ์", "สิทธิ" + thai_form("high:์")),
        # Marks over the tall consonants move left.
        ("ป่า", "ป" + thai_form("narrow:่") + "า"),
        ("ปิ", "ป" + thai_form("narrow:ิ")),
        ("ฝี้", "ฝ" + thai_form("narrow:ี") + thai_form("narrow-high:้")),
        # A tone mark before sara am clears its nikhahit ring.
        ("น้ำ", "น" + thai_form("am:้") + "ำ"),
        ("ป้ำ", "ป" + thai_form("narrow-am:้") + "ำ"),
        # Descenders give way to below-vowels.
        ("ญุ", thai_form("short:ญ") + "ุ"),
        ("ฐู", thai_form("short:ฐ") + "ู"),
        ("ฎุ", thai_form("short:ฎ") + thai_form("small:ุ")),
        # ฬ takes its short form under any upper mark.
        ("ฬิ", thai_form("short:ฬ") + "ิ"),
        ("ฬ", "ฬ"),
    ],
)
def test_positioned_forms(text: str, expected: str) -> None:
    assert thai_preshape(text) == expected


def test_mixed_text_keeps_non_thai_parts() -> None:
    shaped = thai_preshape("Total: 1,000 ฿ (ที่นี่)")
    assert shaped.startswith("Total: 1,000 ฿ (ที")
    assert shaped.endswith(")")


@given(st.text() | THAI_TEXT)
def test_unshape_inverts_preshape(text: str) -> None:
    assert thai_unshape(thai_preshape(text)) == text


@given(THAI_TEXT)
def test_preshape_keeps_length(text: str) -> None:
    # One character per character: offsets in the text stay valid.
    assert len(thai_preshape(text)) == len(text)


def test_arabic_shape_joins_and_reverses() -> None:
    shaped = arabic_shape("فاتورة 12")
    # Joined letters are Presentation Forms; RTL text is drawn right to left,
    # so the number (an LTR run) comes first in visual order.
    assert all(0xFB50 <= ord(c) <= 0xFEFF for c in shaped if c not in " 12")
    assert shaped.startswith("12 ")


# ---- the forms really fix the collisions, measured on the bundled font ----


def _boxes(text: str, bold: bool = False) -> list[tuple[float, float, float, float]]:
    """Ink box of each character drawn the ReportLab way: no shaping, marks
    at the pen position."""
    ttlib = pytest.importorskip("fontTools.ttLib")
    bounds_pen = pytest.importorskip("fontTools.pens.boundsPen")
    name = f"WaffoSansThai-{'Bold' if bold else 'Regular'}.ttf"
    path = resources.files("waffo_portal.invoices") / "fonts" / name
    with resources.as_file(path) as file:
        font = ttlib.TTFont(str(file))
    cmap, glyphs, hmtx = font.getBestCmap(), font.getGlyphSet(), font["hmtx"]
    pen_x, boxes = 0.0, []
    for ch in text:
        glyph = cmap[ord(ch)]
        pen = bounds_pen.BoundsPen(glyphs)
        glyphs[glyph].draw(pen)
        x0, y0, x1, y1 = pen.bounds or (0, 0, 0, 0)
        boxes.append((pen_x + x0, y0, pen_x + x1, y1))
        pen_x += hmtx[glyph][0]
    return boxes


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Overlap area of two boxes, in square font units."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0) * max(h, 0)


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize(
    ("cluster", "i", "j"),
    [
        ("นี่", 1, 2),  # upper vowel vs tone mark
        ("ซื้", 1, 2),
        ("กั้", 1, 2),
        ("ที่", 1, 2),
    ],
)
def test_preshaping_separates_colliding_marks(cluster: str, i: int, j: int, bold: bool) -> None:
    raw = _boxes(cluster, bold)
    shaped = _boxes(thai_preshape(cluster), bold)
    assert _overlap(raw[i], raw[j]) > 0, "sample should collide when drawn naively"
    assert _overlap(shaped[i], shaped[j]) < 0.1 * _overlap(raw[i], raw[j])


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("cluster", ["ป่", "ปิ", "ฝั", "ฟี"])
def test_preshaping_clears_tall_ascender(cluster: str, bold: bool) -> None:
    # The ascender is the right-hand stem of ป ฝ ฟ, so its box covers the
    # whole glyph; what matters is that the mark ends left of the stem.
    stem = 100  # font units; the stem is ~80 wide in both weights
    raw = _boxes(cluster, bold)
    shaped = _boxes(thai_preshape(cluster), bold)
    assert raw[1][2] > raw[0][2] - stem, "sample should reach the ascender when drawn naively"
    assert shaped[1][2] < shaped[0][2] - stem
