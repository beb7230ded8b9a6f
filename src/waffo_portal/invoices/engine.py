"""The one module that drives xhtml2pdf: HTML in, PDF bytes out.

Locked down: the converter may read only the bundled assets and the
configured logo. ``link_callback`` maps every other URI to a bundled blank
image, and xhtml2pdf's resource policy forbids network access and local
reads outside those directories.

Two speed-ups for our own documents, each drawing byte-identical pages
(tests/invoices/test_engine.py compares with stock xhtml2pdf):

* Our PDF template is well-formed XHTML, so it is parsed with the C expat
  parser into the minidom tree html5lib (pure Python) would build, save
  that text is never cut into several nodes. Anything expat rejects goes
  through html5lib, its text nodes then merged the same way.
* A stylesheet without at-rules is parsed once per process. Parsing one has
  no side effects, so its parsed rules can be shared; at-rules such as
  ``@page`` create page templates as they are parsed, so a block holding
  one is parsed every time (the template keeps ``@page`` in a block of its
  own for that reason).

Both are switched on only while xhtml2pdf's own render lock is held, so any
other xhtml2pdf render in the process runs stock. They run only on the
xhtml2pdf versions in ``TESTED_XHTML2PDF``; on any other version, or if the
internals they rely on moved, they switch themselves off with a warning naming
the version (``fast_path_available``), and so does render.newline_breaks.
"""

from __future__ import annotations

import importlib.metadata
import io
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final
from xml.dom import expatbuilder
from xml.dom.minidom import Document
from xml.parsers.expat import ExpatError

from ..core.exceptions import MissingGlyphs
from . import fonts

log = logging.getLogger("waffo_portal.invoices")
LOGO_URI: Final = "waffo-asset:logo"
_PACKAGE_DIR: Final = Path(str(resources.files("waffo_portal.invoices")))
ASSETS_DIR: Final = _PACKAGE_DIR / "assets"
BLANK_IMAGE: Final = str(ASSETS_DIR / "blank.png")
# The xhtml2pdf releases the speed-ups were checked against (tests/invoices/test_engine.py
# compares their pages with stock output pixel by pixel). Add a version only after that.
TESTED_XHTML2PDF: Final = frozenset({"0.2.28"})
# Serialises our change of xhtml2pdf's font table when its own render lock is gone.
_FONT_LOCK = threading.RLock()


def convert(html: str, logo_path: str, *, strict: bool, fast: bool = True) -> bytes:
    """One document to PDF. ``strict``: xhtml2pdf's warnings (a font it does
    not know, a refused resource) raise MissingGlyphs. ``fast=False`` runs
    stock xhtml2pdf (the tests' reference)."""
    from xhtml2pdf import pisa
    from xhtml2pdf.config.resources import ResourceAccessPolicy

    roots = (Path(logo_path).resolve().parent,) if logo_path else ()
    policy = ResourceAccessPolicy(allow_remote=False, base_dir=ASSETS_DIR, extra_roots=roots,
                                  max_resources=8, max_document_bytes=2_000_000)
    out = io.BytesIO()
    with ExitStack() as stack:
        stack.enter_context(_fonts_exposed())
        if fast:
            stack.enter_context(_speed_ups(html))
        warnings = stack.enter_context(_warnings_collected())
        result = pisa.pisaDocument(html, dest=out, link_callback=make_link_callback(logo_path),
                                   resource_policy=policy, default_css=pdf_default_css())
    if result.err:
        raise RuntimeError(f"xhtml2pdf reported {result.err} error(s)")
    if strict and warnings:
        raise MissingGlyphs("", locale="", warnings=tuple(warnings))
    return out.getvalue()


def make_link_callback(logo_path: str) -> Callable[[str, str], str]:
    """Resolve URIs for xhtml2pdf: the configured logo, or a bundled blank image.

    Never returns an empty value: xhtml2pdf would then fetch the original URI.
    """
    logo = str(Path(logo_path).resolve()) if logo_path else ""

    def callback(uri: str, _relative: str) -> str:
        if uri == LOGO_URI and logo:
            return logo
        if uri != LOGO_URI:
            log.warning("refused a resource in an invoice document")
        return BLANK_IMAGE

    return callback


@cache
def pdf_default_css() -> str:
    # See the file: xhtml2pdf's defaults without the rules our markup never hits.
    return (_PACKAGE_DIR / "templates" / "pdf-defaults.css").read_text(encoding="utf-8")


@contextmanager
def _fonts_exposed() -> Iterator[None]:
    """Our font families in xhtml2pdf's font table for one render, restored after it.

    xhtml2pdf resolves CSS font-family names through this process-wide mapping (copied
    into every document); the fonts are already registered with ReportLab. The change is
    made under the render lock, so no other render sees it.
    """
    from xhtml2pdf import default
    from xhtml2pdf import document as x_document

    lock = getattr(x_document, "_RENDER_LOCK", None) or _FONT_LOCK
    with lock:
        saved = dict(default.DEFAULT_FONT)
        default.DEFAULT_FONT.update({family.lower(): family for family in fonts.FAMILIES})
        try:
            yield
        finally:
            default.DEFAULT_FONT.clear()
            default.DEFAULT_FONT.update(saved)


def xhtml_dom(html: str) -> Document | None:
    """The document parsed by expat, or None if it is not well-formed XML.

    ``namespaces=False`` keeps ``<pdf:pagenumber/>`` one tag name, as html5lib does.
    A document with any ``<!`` (doctype, entity declarations, comments) is left
    to html5lib: what expat does with entities is then never a question.
    """
    if "<!" in html:
        return None
    try:
        return expatbuilder.parseString(  # noqa: S316 (no DTD can reach it, see above)
            html.encode("utf-8"), namespaces=False)
    except ExpatError:
        return None


class _ParsedCSS:
    """Parsed stylesheets without at-rules, by their text (bounded)."""

    def __init__(self, maxsize: int = 64) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[tuple[str, str], Any] = OrderedDict()

    def parse(self, original: Callable[..., Any], context: Any, text: str,
              source: str) -> Any:
        if "@" in text:
            return original(context, text, source)
        key = (text, source)
        found = self._items.get(key)
        if found is None:
            found = self._items[key] = original(context, text, source)
            if len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        else:
            self._items.move_to_end(key)
        return found


_PARSED_CSS: Final = _ParsedCSS()


def xhtml2pdf_version() -> str:
    return importlib.metadata.version("xhtml2pdf")


def _internals_present() -> bool:
    from xhtml2pdf import context as x_context
    from xhtml2pdf import document as x_document
    from xhtml2pdf import parser as x_parser

    lock = getattr(x_document, "_RENDER_LOCK", None)
    return (isinstance(lock, type(threading.RLock())) and hasattr(x_parser, "html5lib")
            and callable(getattr(x_context.pisaContext, "_parseCSSSource", None)))


@cache
def fast_path_available() -> bool:
    """Whether the speed-ups may run: a tested xhtml2pdf that still has the internals
    they replace. Decided once per process; turning off is logged as a warning."""
    version = xhtml2pdf_version()
    if version not in TESTED_XHTML2PDF:
        log.warning("invoice speed-ups off: xhtml2pdf %s is not a tested version (%s); "
                    "documents render with stock xhtml2pdf, slower", version,
                    ", ".join(sorted(TESTED_XHTML2PDF)))
        return False
    if not _internals_present():
        log.warning("invoice speed-ups off: xhtml2pdf %s lacks the internals they replace; "
                    "documents render with stock xhtml2pdf, slower", version)
        return False
    return True


def _parse(html: str) -> Document:
    """Expat if it can; else html5lib, with adjacent text nodes merged as expat
    leaves them: stock xhtml2pdf drops the spaces around an entity in a
    pre-line cell because html5lib cuts the text there ("Müller&Söhne")."""
    dom = xhtml_dom(html)
    if dom is None:
        import html5lib

        dom = html5lib.parse(html, treebuilder="dom")
        dom.normalize()
    return dom


@contextmanager
def _speed_ups(html: str) -> Iterator[None]:
    if not fast_path_available():
        yield  # internals moved: run stock
        return
    from xhtml2pdf import context as x_context
    from xhtml2pdf import document as x_document
    from xhtml2pdf import parser as x_parser

    dom = _parse(html)
    with x_document._RENDER_LOCK:  # re-entered by pisaDocument: nobody else converts
        # Read the originals under the lock: outside it another render may have its
        # stand-ins installed, and restoring those would outlive that render.
        original_css = x_context.pisaContext._parseCSSSource
        original_html5lib = x_parser.html5lib

        def parse_css(context: Any, text: str, source: str) -> Any:
            return _PARSED_CSS.parse(original_css, context, text, source)

        x_parser.html5lib = _PreParsed(dom)
        x_context.pisaContext._parseCSSSource = parse_css
        try:
            yield
        finally:
            x_parser.html5lib = original_html5lib
            x_context.pisaContext._parseCSSSource = original_css


class _PreParsed:
    """Stands in for the html5lib module inside xhtml2pdf.parser: its one use
    there is ``html5lib.HTMLParser(tree=...).parse(src, ...)``."""

    def __init__(self, dom: Document) -> None:
        self._dom = dom

    def HTMLParser(self, **_options: object) -> _PreParsed:  # html5lib's name
        return self

    def parse(self, _source: object, **_options: object) -> Document:
        return self._dom


@contextmanager
def _warnings_collected() -> Iterator[list[str]]:
    """Collect xhtml2pdf's warnings (unknown fonts, refused resources) of one render."""
    found: list[str] = []

    class _Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            found.append(record.getMessage())

    handler = _Collector(logging.WARNING)
    logger = logging.getLogger("xhtml2pdf")
    logger.addHandler(handler)
    try:
        yield found
    finally:
        logger.removeHandler(handler)
