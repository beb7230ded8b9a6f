"""Invoices and receipts as HTML and PDF (jinja2 + babel + xhtml2pdf), no web framework.

Security: the template autoescapes and never marks order or buyer text safe,
so data cannot add markup. Behind that, the PDF converter (engine.py) may
read only the bundled assets and the configured logo.

Rendered files are cached in-process, keyed on a hash of everything printed.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import cache
from pathlib import Path
from typing import Final

import jinja2
from markupsafe import Markup, escape

from ..core.config import Branding
from ..core.exceptions import MissingGlyphs
from ..core.models import Buyer, Invoice, Order, Payment
from ..i18n import get_translations
from . import engine, fonts
from .document import InvoiceDocument, build_document
from .engine import BLANK_IMAGE, LOGO_URI, make_link_callback
from .shaping import thai_preshape
from .wording import isolate

log = logging.getLogger("waffo_portal.invoices")
DOMAIN: Final = "invoices"
__all__ = ["BLANK_IMAGE", "CACHE", "LOGO_URI", "RenderCache", "make_link_callback",
           "render_invoice_html", "render_invoice_pdf", "render_receipt_html",
           "render_receipt_pdf"]
#: Browsers get the richer document.html; xhtml2pdf a lean template of its own.
HTML_TEMPLATE: Final = "document.html"
PDF_TEMPLATE: Final = "document-pdf.html"
_LOGO_TYPES: Final = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                      ".gif": "image/gif"}


#: Wraps a real (uncached) render: admission control such as a budget per buyer.
ColdRender = Callable[[], AbstractContextManager[object]]


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

    def get_or_render(self, key: str, render: Callable[[], bytes],
                      cold: ColdRender | None = None) -> bytes:
        """The cached file, or ``render()`` inside ``cold()`` (the caller's admission
        control for real renders: a budget, one at a time)."""
        found = self.get(key)
        if found is not None:
            return found
        with cold() if cold is not None else nullcontext():
            value = render()  # outside the lock: a slow render must not block cache hits
        self.put(key, value)
        return value

    def get(self, key: str) -> bytes | None:
        """The cached file (counted as a hit), or None."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
            return found

    def put(self, key: str, value: bytes) -> None:
        """Store a real render (counted as a miss), evicting the oldest past ``maxsize``."""
        with self._lock:
            self.misses += 1
            self._items[key] = value
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

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
                       strict: bool = False, buyer: Buyer | None = None,
                       cold: ColdRender | None = None) -> bytes:
    """The invoice as PDF. ``strict``: raise MissingGlyphs instead of logging it.
    ``cold`` wraps a real render (not a cache hit): the caller's admission control."""
    return _render(order, invoice, payments, branding, locale, "invoice", "pdf", strict,
                   buyer=buyer, cold=cold)


def render_receipt_pdf(order: Order, invoice: Invoice, payments: Sequence[Payment] = (),
                       branding: Branding | None = None, locale: str = "en", *,
                       strict: bool = False, buyer: Buyer | None = None,
                       cold: ColdRender | None = None) -> bytes:
    return _render(order, invoice, payments, branding, locale, "receipt", "pdf", strict,
                   buyer=buyer, cold=cold)


def _render(order: Order, invoice: Invoice, payments: Sequence[Payment],
            branding: Branding | None, locale: str, kind: str, fmt: str,
            strict: bool = False, *, buyer: Buyer | None = None,
            cold: ColdRender | None = None) -> bytes:
    brand = branding or Branding()
    doc = build_document(order, invoice, payments, brand, locale, kind, buyer)
    key = cache_key(doc, brand, fmt, strict)
    if fmt == "html":
        return CACHE.get_or_render(key, lambda: html_for(doc, brand).encode())
    return CACHE.get_or_render(key, lambda: pdf_for(doc, brand, strict=strict), cold)


def cache_key(doc: InvoiceDocument, branding: Branding, fmt: str, strict: bool = False) -> str:
    """What the cache files a rendered document under: everything that is printed."""
    return doc.cache_key(fmt, f"{branding.primary_color}|{_logo_stamp(branding.logo_path)}|"
                              f"{strict}")


def html_for(doc: InvoiceDocument, branding: Branding, *, for_pdf: bool = False,
             font_stack: str = "system-ui, sans-serif", pages: int | None = None) -> str:
    """Render the template (uncached). Browsers get the logo inline as a data: URI.

    ``pages``: the page count to print in the PDF footer; None lets xhtml2pdf
    count them, which costs a second layout pass.

    ``bdi`` isolates a datum in a right-to-left PDF. xhtml2pdf runs the bidi
    algorithm over each line with the document's direction as its base, and by
    its rules "1 Dock Road" in an Arabic line *is* "Dock Road 1" (the digit
    stands alone and the space takes the paragraph's direction). A first-strong
    isolate keeps data in its own direction; browsers get ``<bdi>`` instead.
    """
    translations = get_translations(doc.locale, DOMAIN)
    logo = ""
    if branding.logo_path:
        logo = LOGO_URI if for_pdf else _logo_data_uri(branding.logo_path)
    template = _environment().get_template(PDF_TEMPLATE if for_pdf else HTML_TEMPLATE)
    pre_line = for_pdf and newline_breaks(doc)
    html = template.render(
        doc=doc, _=translations.gettext, for_pdf=for_pdf, font_stack=font_stack,
        color=branding.primary_color, logo=logo, pre_line=pre_line,
        page_label=lambda: _page_label(translations.gettext, pages),
        bdi=isolate if doc.rtl else _as_is,
    )
    # Escaped data cannot contain "<br/>"; every other line break (CR too: XML
    # parsers read CR as LF) becomes a space, as HTML would treat it.
    return (html.replace("\r", " ").replace("\n", " ").replace("<br/>", "\n") if pre_line
            else html)


def _as_is(text: str) -> str:
    return text


def newline_breaks(doc: InvoiceDocument) -> bool:
    """Whether the PDF's table cells break lines with newlines (``white-space:
    pre-line``) rather than ``<br/>``: the pages are the same, and each
    ``<br/>`` is an element xhtml2pdf would style and walk (~10% of a
    render). Not for right-to-left documents: xhtml2pdf breaks the joining
    of Arabic letters in pre-line text. Only with the engine's own parse,
    which keeps text nodes whole (see engine._parse)."""
    return not doc.rtl and engine.fast_path_available()


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
    probe = html_for(doc, branding, for_pdf=True)
    families = font_families(probe, doc.locale, strict=strict)
    fonts.register_fonts(families)  # only these: a cold start skips the other files

    def convert(pages: int | None) -> bytes:
        html = html_for(doc, branding, for_pdf=True, font_stack=", ".join(families),
                        pages=pages)
        if fonts.THAI in families:
            html = thai_preshape(html)  # markup is ASCII: only Thai text changes
        return engine.convert(html, branding.logo_path, strict=strict)

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
