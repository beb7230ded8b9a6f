"""Invoices and receipts as HTML and PDF (jinja2 + babel + xhtml2pdf), no web framework.

Security: the template autoescapes and never marks order or buyer text safe,
so data cannot add markup. Behind that, the PDF converter may read only the
bundled assets and the configured logo: ``link_callback`` maps every other
URI to a bundled blank image, and xhtml2pdf's resource policy forbids network
access and local reads outside those directories.

Rendered files are cached in-process, keyed on a hash of everything printed.
"""

from __future__ import annotations

import base64
import io
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final

import jinja2
from markupsafe import Markup, escape

from ..config import Branding
from ..exceptions import MissingGlyphs
from ..i18n import get_translations
from ..models import Buyer, Invoice, Order, Payment
from . import fonts
from .document import InvoiceDocument, build_document
from .shaping import thai_preshape

log = logging.getLogger("waffo_portal.invoices")
DOMAIN: Final = "invoices"
LOGO_URI: Final = "waffo-asset:logo"
_PACKAGE_DIR: Final = Path(str(resources.files("waffo_portal.invoices")))
ASSETS_DIR: Final = _PACKAGE_DIR / "assets"
#: Browsers get the richer document.html; xhtml2pdf a lean template of its own.
HTML_TEMPLATE: Final = "document.html"
PDF_TEMPLATE: Final = "document-pdf.html"
BLANK_IMAGE: Final = str(ASSETS_DIR / "blank.png")
_LOGO_TYPES: Final = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                      ".gif": "image/gif"}


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("waffo_portal.invoices", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, auto_reload=False,
    )


class RenderCache:
    """A thread-safe LRU of rendered files; ``misses`` counts real renders."""

    def __init__(self, maxsize: int = 256) -> None:
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key: str, render: Callable[[], bytes]) -> bytes:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return found
        value = render()  # outside the lock: a slow render must not block cache hits
        with self._lock:
            self.misses += 1
            self._items[key] = value
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0


CACHE: Final = RenderCache()


def render_invoice_html(order: Order, invoice: Invoice, payments: Sequence[Payment] = (),
                        branding: Branding | None = None, locale: str = "en", *,
                        buyer: Buyer | None = None) -> str:
    """The invoice as HTML. ``buyer`` adds their name and email to "Bill to"."""
    return _render(order, invoice, payments, branding, locale, "invoice", "html",
                   buyer=buyer).decode()


def render_receipt_html(order: Order, invoice: Invoice, payments: Sequence[Payment] = (),
                        branding: Branding | None = None, locale: str = "en", *,
                        buyer: Buyer | None = None) -> str:
    return _render(order, invoice, payments, branding, locale, "receipt", "html",
                   buyer=buyer).decode()


def render_invoice_pdf(order: Order, invoice: Invoice, payments: Sequence[Payment] = (),
                       branding: Branding | None = None, locale: str = "en", *,
                       strict: bool = False, buyer: Buyer | None = None) -> bytes:
    """The invoice as PDF. ``strict``: raise MissingGlyphs instead of logging it."""
    return _render(order, invoice, payments, branding, locale, "invoice", "pdf", strict,
                   buyer=buyer)


def render_receipt_pdf(order: Order, invoice: Invoice, payments: Sequence[Payment] = (),
                       branding: Branding | None = None, locale: str = "en", *,
                       strict: bool = False, buyer: Buyer | None = None) -> bytes:
    return _render(order, invoice, payments, branding, locale, "receipt", "pdf", strict,
                   buyer=buyer)


def _render(order: Order, invoice: Invoice, payments: Sequence[Payment],
            branding: Branding | None, locale: str, kind: str, fmt: str,
            strict: bool = False, *, buyer: Buyer | None = None) -> bytes:
    brand = branding or Branding()
    doc = build_document(order, invoice, payments, brand, locale, kind, buyer)
    key = doc.cache_key(fmt, f"{brand.primary_color}|{_logo_stamp(brand.logo_path)}|{strict}")
    if fmt == "html":
        return CACHE.get_or_render(key, lambda: html_for(doc, brand).encode())
    return CACHE.get_or_render(key, lambda: pdf_for(doc, brand, strict=strict))


def html_for(doc: InvoiceDocument, branding: Branding, *, for_pdf: bool = False,
             font_stack: str = "system-ui, sans-serif", pages: int | None = None) -> str:
    """Render the template (uncached). Browsers get the logo inline as a data: URI.

    ``pages``: the page count to print in the PDF footer; None lets xhtml2pdf
    count them, which costs a second layout pass.
    """
    translations = get_translations(doc.locale, DOMAIN)
    logo = ""
    if branding.logo_path:
        logo = LOGO_URI if for_pdf else _logo_data_uri(branding.logo_path)
    template = _environment().get_template(PDF_TEMPLATE if for_pdf else HTML_TEMPLATE)
    return template.render(
        doc=doc, _=translations.gettext, for_pdf=for_pdf, font_stack=font_stack,
        color=branding.primary_color, logo=logo,
        page_label=lambda: _page_label(translations.gettext, pages),
    )


def _page_label(gettext: Callable[[str], str], pages: int | None) -> Markup:
    # The translation is escaped; only our own page-number tags are markup.
    label = escape(gettext("Page %(page)s of %(pages)s"))  # already a Markup, escaped
    total = Markup("<pdf:pagecount />") if pages is None else str(pages)
    return label % {"page": Markup("<pdf:pagenumber />"), "pages": total}


def pdf_for(doc: InvoiceDocument, branding: Branding, *, strict: bool = False) -> bytes:
    """Render one document to PDF (uncached).

    Almost every invoice fits one page, so it is laid out once saying "of 1";
    only if that guess is wrong is it laid out again with the real count.
    ``<pdf:pagecount>`` would always cost two full layout passes.
    """
    _expose_fonts_to_xhtml2pdf()
    probe = html_for(doc, branding, for_pdf=True)
    families = font_families(probe, doc.locale, strict=strict)
    fonts.register_fonts(families)  # only these: a cold start skips the other files

    def convert(pages: int | None) -> bytes:
        html = html_for(doc, branding, for_pdf=True, font_stack=", ".join(families),
                        pages=pages)
        if fonts.THAI in families:
            html = thai_preshape(html)  # markup is ASCII: only Thai text changes
        return _convert(html, branding.logo_path, strict=strict)

    pdf = convert(1)
    counted = page_count(pdf)
    if counted == 1:
        return pdf
    # Same body, only the footer's number changes, so one more pass is exact;
    # if it still disagrees (or the count is unreadable) let xhtml2pdf count.
    if counted is not None:
        pdf = convert(counted)
        if page_count(pdf) == counted:
            return pdf
    return convert(None)


_PAGES_ROOT: Final = re.compile(rb"/Count (\d+) /Kids \[[^\]]*\] /Type /Pages\b")


def page_count(pdf: bytes) -> int | None:
    """The page count of a PDF ReportLab wrote; None if it is not unambiguous.

    ReportLab writes one flat page tree ("/Count N /Kids [...] /Type /Pages")
    and compresses page content, so drawn text cannot imitate it; metadata
    that did would only make the match ambiguous, and xhtml2pdf then counts.
    """
    found = _PAGES_ROOT.findall(pdf)
    return int(found[0]) if len(found) == 1 else None


def font_families(text: str, locale: str, *, strict: bool = False) -> list[str]:
    """The locale's family, plus the bundled ones needed for characters it lacks."""
    families = [fonts.font_family_for(locale)]
    missing = fonts.missing_glyphs(text, families[0])
    for family in fonts.FAMILIES:
        if not missing:
            break
        if family in families:
            continue
        still = missing & fonts.missing_glyphs("".join(missing), family)
        if still != missing:
            families.append(family)
            missing = still
    if missing:
        if strict:
            raise MissingGlyphs("".join(sorted(missing)), locale=locale)
        log.warning("no bundled font draws %d character(s) of a %s invoice",
                    len(missing), locale)
    return families


@cache
def _pdf_default_css() -> str:
    # See the file: xhtml2pdf's defaults without the rules our markup never hits.
    return (_PACKAGE_DIR / "templates" / "pdf-defaults.css").read_text(encoding="utf-8")


@cache
def _expose_fonts_to_xhtml2pdf() -> None:
    # xhtml2pdf resolves CSS font-family names through the mapping it copies
    # into every document; the fonts are already registered with ReportLab.
    from xhtml2pdf import default

    for family in fonts.FAMILIES:
        default.DEFAULT_FONT[family.lower()] = family


def _convert(html: str, logo_path: str, *, strict: bool) -> bytes:
    from xhtml2pdf import pisa
    from xhtml2pdf.config.resources import ResourceAccessPolicy

    roots = (Path(logo_path).resolve().parent,) if logo_path else ()
    policy = ResourceAccessPolicy(allow_remote=False, base_dir=ASSETS_DIR, extra_roots=roots,
                                  max_resources=8, max_document_bytes=2_000_000)
    out = io.BytesIO()
    with _warnings_collected() as warnings:
        result = pisa.pisaDocument(html, dest=out, link_callback=make_link_callback(logo_path),
                                   resource_policy=policy, default_css=_pdf_default_css())
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


def _logo_stamp(path: str) -> str:
    if not path:
        return ""
    try:
        stat = Path(path).stat()
    except OSError:
        return "missing"
    return f"{stat.st_mtime_ns}:{stat.st_size}"


def _logo_data_uri(path: str) -> str:
    mime = _LOGO_TYPES.get(Path(path).suffix.lower())
    if mime is None:
        return ""
    data = base64.b64encode(Path(path).read_bytes()).decode()
    return f"data:{mime};base64,{data}"
