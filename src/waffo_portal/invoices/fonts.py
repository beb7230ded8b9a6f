"""The bundled invoice fonts, each family registered with ReportLab on first use.

ReportLab has no per-glyph fallback: a character missing from the chosen font
is drawn as an empty box (or, through xhtml2pdf, silently in Helvetica). So
each family here covers its script *and* Latin, punctuation and every currency
sign on its own; `missing_glyphs` lets callers refuse text a family cannot draw.

Files come from package data only (importlib.resources), never from the
network or the system font directories. See fonts/README.md for provenance.
"""

from __future__ import annotations

import io
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, makeToUnicodeCMap

from .shaping import THAI_PUA_TO_CHAR

LATIN: Final = "WaffoSans"
THAI: Final = "WaffoSansThai"
ARABIC: Final = "WaffoSansArabic"
CJK_JP: Final = "WaffoSansCJKJP"
CJK_KR: Final = "WaffoSansCJKKR"
CJK_SC: Final = "WaffoSansCJKSC"
CJK_TC: Final = "WaffoSansCJKTC"
FAMILIES: Final = (LATIN, THAI, ARABIC, CJK_JP, CJK_KR, CJK_SC, CJK_TC)

# fonts/ is a plain data directory (this module owns the name "fonts").
_PACKAGE: Final = "waffo_portal.invoices"
_lock = threading.Lock()
#: Families registered with ReportLab in this process (added under _lock).
_loaded: set[str] = set()


@dataclass(frozen=True)
class FontFace:
    """One file of a family, under the name ReportLab knows it by."""

    family: str
    bold: bool

    @property
    def font_name(self) -> str:
        return f"{self.family}-Bold" if self.bold else self.family

    @property
    def filename(self) -> str:
        return f"{self.family}-{'Bold' if self.bold else 'Regular'}.ttf"


class _PuaAwareTTFont(TTFont):  # type: ignore[misc]  # ReportLab is untyped
    """A TTFont whose ToUnicode map sends the Thai PUA forms back to Thai.

    Without this, copying text out of the PDF (or pypdf extraction) would give
    the private code points `thai_preshape` put in. ReportLab builds ToUnicode
    from each subset's list of code points, so the map is rebuilt here with
    the code points translated; the glyphs and widths are untouched.
    """

    def addObjects(self, doc: Any) -> None:  # ReportLab's name
        state = self.state.get(doc)
        subsets = [list(s) for s in state.subsets] if state is not None else []
        super().addObjects(doc)
        for index, subset in enumerate(subsets):
            base = self._subset_base_name(index)
            stream = doc.idToObject.get(f"toUnicodeCMap:{base}")
            if stream is not None:
                stream.content = makeToUnicodeCMap(base, [_real_codepoint(c) for c in subset])

    def _subset_base_name(self, index: int) -> str:
        # Mirrors the BaseFont name TTFont.addObjects gives subset `index`.
        from reportlab.pdfbase.ttfonts import SUBSETN

        raw = b"".join((SUBSETN(index), b"+", self.face.name, self.face.subfontNameX))
        return str(raw.decode("pdfdoc"))


def _real_codepoint(codepoint: int) -> int:
    return ord(THAI_PUA_TO_CHAR.get(chr(codepoint), chr(codepoint)))


def register_family(family: str) -> None:
    """Register one bundled family (regular and bold) with ReportLab.

    Lazy on purpose: the CJK files are 2-4 MB each and parsing them is most
    of a cold start, while an invoice needs one or two families. Safe to call
    repeatedly and from several threads; the parsed fonts stay in ReportLab's
    process-wide registry, so each family is read at most once per process.
    """
    if family in _loaded:  # fast path, no lock once done
        return
    if family not in FAMILIES:
        raise KeyError(f"unknown font family {family!r}; bundled: {', '.join(FAMILIES)}")
    with _lock:
        if family in _loaded:  # another thread finished while we waited
            return
        for bold in (False, True):
            face = FontFace(family, bold)
            data = (resources.files(_PACKAGE) / "fonts" / face.filename).read_bytes()
            font = _PuaAwareTTFont(face.font_name, io.BytesIO(data))
            _isolates_take_no_room(font)
            pdfmetrics.registerFont(font)
        _register_family(family)
        _loaded.add(family)  # only once both faces and the family mapping exist


#: The bidi isolates (LRI, RLI, FSI, PDI) the templates put around data in right-to-left
#: documents. xhtml2pdf resolves and drops them before drawing (any text holding one
#: goes through its bidi pass), but measures lines and checks Arabic shaping against
#: the face's tables: a face without them would measure each at its default width
#: (shifting the line by 6 pt a pair) and make Arabic beside them lose its joining.
_ISOLATES: Final = tuple(range(0x2066, 0x206A))


def _isolates_take_no_room(font: Any) -> None:
    face = font.face
    for code in _ISOLATES:
        if code not in face.charToGlyph:
            face.charToGlyph[code] = 0  # never drawn: see above
            face.charWidths[code] = 0


def register_fonts(families: Iterable[str] = FAMILIES) -> None:
    """Register ``families`` (default: every bundled one); see `register_family`."""
    for family in families:
        register_family(family)


def _register_family(family: str) -> None:
    # No italics are bundled: italic maps to upright rather than to Helvetica.
    bold = f"{family}-Bold"
    pdfmetrics.registerFontFamily(family, normal=family, bold=bold, italic=family, boldItalic=bold)


#: Language -> family, for languages that do not need the Latin family.
_BY_LANGUAGE: Final[Mapping[str, str]] = {"th": THAI, "ar": ARABIC, "ja": CJK_JP, "ko": CJK_KR}
#: Script or region subtags that select Traditional Chinese.
_TRADITIONAL: Final = frozenset({"hant", "tw", "hk", "mo"})


def font_family_for(locale: str) -> str:
    """The family to draw an invoice in `locale` ("pt-BR", "zh_Hant_TW", ...).

    Chinese without a script or region defaults to Simplified; any language
    not listed falls back to the Latin/Cyrillic/Greek family.
    """
    parts = locale.replace("_", "-").lower().split("-")
    language = parts[0]
    if language == "zh":
        has_traditional = _TRADITIONAL.intersection(parts[1:]) and "hans" not in parts
        return CJK_TC if has_traditional else CJK_SC
    return _BY_LANGUAGE.get(language, LATIN)


def missing_glyphs(text: str, family: str) -> set[str]:
    """Characters of `text` that `family` has no glyph for.

    Control characters (newlines, tabs, bidi marks that xhtml2pdf strips) are
    ignored: they are never drawn. Checks the regular face; the build gives
    regular and bold the same character set.
    """
    charmap = _charmap(family)
    return {
        ch
        for ch in set(text)
        if ord(ch) not in charmap and unicodedata.category(ch) not in ("Cc", "Cf")
    }


@cache
def _charmap(family: str) -> frozenset[int]:
    register_family(family)  # raises KeyError for a family that is not bundled
    return frozenset(pdfmetrics.getFont(family).face.charToGlyph)
