"""Text preparation for scripts that ReportLab cannot shape by itself.

ReportLab (and xhtml2pdf on top of it) draws one glyph per character, each at
the pen position, and never applies a font's OpenType GSUB/GPOS rules. Thai
needs those rules: a tone mark over an upper vowel must move up, marks over the
tall consonants ป ฝ ฟ must move left, ญ and ฐ lose their descender above a
below-vowel, and so on. Drawn naively the marks collide.

The bundled Thai font (``WaffoSansThai``) therefore carries *pre-positioned*
copies of those glyphs in the Private Use Area. scripts/build_fonts.py shapes a
sample cluster for each one with HarfBuzz and bakes the resulting glyph and
offset into a new glyph; `thai_preshape` picks the right copy for each context.
The table below is the single source of truth for both sides.

Trade-off: the string handed to the PDF contains PUA code points. The fonts
module writes a ToUnicode map that sends each of them back to the Thai
character it stands for, so copy/paste and text extraction still give real
Thai; `thai_unshape` does the same for strings in Python.

Arabic needs no help here: xhtml2pdf already joins letters with
arabic_reshaper (into Presentation Forms, which the bundled Arabic font maps)
and reorders lines with its own bidi implementation. `arabic_shape` exists for
drawing with the bare ReportLab canvas, which does neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

# Character classes (Unicode Thai block).
_CONSONANTS: Final = frozenset(chr(c) for c in range(0x0E01, 0x0E2F))
#: Consonants whose ascender reaches the mark zone: marks must move left.
_TALL: Final = frozenset("ปฝฟ")
#: ฬ is tall too, but Noto Sans Thai shortens its ascender instead.
_LO_CHULA: Final = "ฬ"
#: Consonants whose descender clashes with a below-vowel and is dropped.
_DESCENDER_DROP: Final = frozenset("ญฐ")
#: Consonants whose descender is shortened, with a smaller below-vowel.
_DESCENDER_SHORT: Final = frozenset("ฎฏ")
_UPPER_VOWELS: Final = "ัิีึื็ํ"
_TONES: Final = "่้๊๋์"
_LOWER_VOWELS: Final = "ฺุู"
_SARA_AM: Final = "ำ"
_MARKS: Final = frozenset(_UPPER_VOWELS + _TONES + _LOWER_VOWELS + "๎")

#: First code point of the font's private Thai forms. Deliberately not the
#: legacy Windows/Mac Thai PUA block (U+F700..) so nobody mistakes these for it.
PUA_START: Final = 0xEE00


@dataclass(frozen=True)
class ThaiForm:
    """One pre-positioned glyph: `char` as drawn in `sample`.

    The build script shapes `sample` with HarfBuzz and copies the glyph that
    HarfBuzz used for `char`, moved by the offset HarfBuzz gave it.
    """

    key: str
    char: str
    sample: str


def _forms() -> tuple[ThaiForm, ...]:
    forms: list[ThaiForm] = []
    forms += [ThaiForm(f"narrow:{u}", u, "ป" + u) for u in _UPPER_VOWELS]
    forms += [ThaiForm(f"narrow:{t}", t, "ป" + t) for t in _TONES]
    forms += [ThaiForm(f"high:{t}", t, "กิ" + t) for t in _TONES]
    forms += [ThaiForm(f"narrow-high:{t}", t, "ปิ" + t) for t in _TONES]
    forms += [ThaiForm(f"am:{t}", t, "ก" + t + _SARA_AM) for t in _TONES]
    forms += [ThaiForm(f"narrow-am:{t}", t, "ป" + t + _SARA_AM) for t in _TONES]
    forms += [ThaiForm(f"short:{c}", c, c + "ุ") for c in sorted(_DESCENDER_DROP)]
    forms += [ThaiForm(f"short:{c}", c, c + "ุ") for c in sorted(_DESCENDER_SHORT)]
    forms += [ThaiForm(f"small:{v}", v, "ฎ" + v) for v in _LOWER_VOWELS]
    forms.append(ThaiForm(f"short:{_LO_CHULA}", _LO_CHULA, _LO_CHULA + "่"))
    return tuple(forms)


#: Every pre-positioned form, in code point order from PUA_START. Append only:
#: reordering would change the code points baked into shipped fonts.
THAI_FORMS: Final[tuple[ThaiForm, ...]] = _forms()
_BY_KEY: Final[Mapping[str, str]] = {f.key: chr(PUA_START + i) for i, f in enumerate(THAI_FORMS)}
#: PUA character -> the Thai character it stands for.
THAI_PUA_TO_CHAR: Final[Mapping[str, str]] = {
    chr(PUA_START + i): f.char for i, f in enumerate(THAI_FORMS)
}


def thai_form(key: str) -> str:
    """The PUA character for a form key such as ``"high:่"``."""
    return _BY_KEY[key]


def thai_preshape(text: str) -> str:
    """Replace Thai characters by pre-positioned forms where position matters.

    Only characters that would collide or clip are replaced; everything else,
    including all non-Thai text, is returned unchanged.
    """
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch not in _CONSONANTS:
            out.append(ch)
            i += 1
            continue
        end = i + 1
        while end < len(text) and text[end] in _MARKS:
            end += 1
        am = end < len(text) and text[end] == _SARA_AM
        out.extend(_shape_cluster(ch, text[i + 1 : end], am))
        i = end
    return "".join(out)


def _shape_cluster(base: str, marks: str, am: bool) -> list[str]:
    """Forms for one consonant, the marks on it, and whether ำ follows."""
    lower = any(m in _LOWER_VOWELS for m in marks)
    upper_seen = False
    tall = base in _TALL
    out = [_base_form(base, lower, bool(marks) or am)]
    for mark in marks:
        out.append(_mark_form(mark, base, tall=tall, after_upper=upper_seen, am=am))
        upper_seen = upper_seen or mark in _UPPER_VOWELS
    return out


def _base_form(base: str, lower: bool, marked: bool) -> str:
    if lower and (base in _DESCENDER_DROP or base in _DESCENDER_SHORT):
        return _BY_KEY[f"short:{base}"]
    if base == _LO_CHULA and marked:
        return _BY_KEY[f"short:{base}"]
    return base


def _mark_form(mark: str, base: str, *, tall: bool, after_upper: bool, am: bool) -> str:
    prefix = "narrow-" if tall else ""
    if mark in _UPPER_VOWELS and tall:
        return _BY_KEY[f"narrow:{mark}"]
    if mark in _TONES:
        if after_upper:
            return _BY_KEY[f"{prefix}high:{mark}"]
        if am:
            return _BY_KEY[f"{prefix}am:{mark}"]
        return _BY_KEY[f"narrow:{mark}"] if tall else mark
    if mark in _LOWER_VOWELS and base in _DESCENDER_SHORT:
        return _BY_KEY[f"small:{mark}"]
    return mark


def thai_unshape(text: str) -> str:
    """Undo `thai_preshape`: map every private form back to its character."""
    return "".join(THAI_PUA_TO_CHAR.get(ch, ch) for ch in text)


def arabic_shape(text: str) -> str:
    """Arabic joined into Presentation Forms and put in visual order.

    Only for the bare ReportLab canvas: xhtml2pdf does both steps itself, and
    doing them twice would reverse the text back.
    """
    import arabic_reshaper  # type: ignore[import-untyped]  # xhtml2pdf's dependency
    from xhtml2pdf.bidi import get_display

    # base_dir=None: take the direction from the first strong character.
    return str(get_display(arabic_reshaper.reshape(text), base_dir=None))
