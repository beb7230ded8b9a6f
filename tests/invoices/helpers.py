"""Shared helpers for the invoice tests: PDF text and font inspection."""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

from pypdf import PdfReader

BASE14 = {"Helvetica", "Times-Roman", "Courier", "Symbol", "ZapfDingbats"}
_BIDI_MARKS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in reader.pages))


def squash(text: str) -> str:
    """NFKC, no whitespace, no bidi marks: what must survive text extraction."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", _BIDI_MARKS.sub("", text))


def pdf_fonts(pdf: bytes) -> list[tuple[str, bool]]:
    """(BaseFont, has an embedded font file) for every font used on any page."""
    found: list[tuple[str, bool]] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts: Any = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            if font.get("/Subtype") == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append((str(font["/BaseFont"]), embedded))
    return found


def fonts_drawing_text(pdf: bytes) -> set[str]:
    """BaseFonts that actually show text (Tj, TJ, ', ") on any page, forms included.

    ReportLab's canvas selects Helvetica once when it starts ("BT /F1 12 Tf ET")
    without drawing anything; only fonts that draw glyphs matter.
    """

    used: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        _walk(page.get_contents(), page["/Resources"].get_object(), page.pdf, used)
    return used


def _walk(contents: Any, resources: Any, reader: Any, used: set[str]) -> None:
    from pypdf.generic import ContentStream

    if contents is None:
        return
    fonts = resources.get("/Font", {})
    xobjects = resources.get("/XObject", {})
    current = ""
    for operands, operator in ContentStream(contents, reader).operations:
        if operator == b"Tf":
            current = str(fonts[operands[0]].get_object()["/BaseFont"])
        elif operator in (b"Tj", b"TJ", b"'", b'"'):
            used.add(current)
        elif operator == b"Do":
            form = xobjects[operands[0]].get_object()
            if form.get("/Subtype") == "/Form":
                _walk(form, form.get("/Resources", resources).get_object(), reader, used)
