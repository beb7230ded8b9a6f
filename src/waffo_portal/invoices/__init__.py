"""Invoices and receipts: HTML and PDF in every supported locale.

The renderers load on first use (PEP 562): a web page that only words an order's
lines (``invoices.wording``) must not load ReportLab and xhtml2pdf with them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .batch import RenderJob, RenderPool, render_many
    from .render import (
        CACHE,
        render_invoice_html,
        render_invoice_pdf,
        render_receipt_html,
        render_receipt_pdf,
    )

_EXPORTS = {
    ".batch": ("RenderJob", "RenderPool", "render_many"),
    ".render": ("CACHE", "render_invoice_html", "render_invoice_pdf", "render_receipt_html",
                "render_receipt_pdf"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def render_demo_invoice(locale: str, receipt: bool = False) -> bytes:
    """A PDF of the built-in sample (a local business buyer) in ``locale``; for the CLI."""
    from .demo import DEMO_BRANDING, demo_records
    from .render import render_invoice_pdf, render_receipt_pdf

    order, invoice, payments = demo_records(locale)
    renderer = render_receipt_pdf if receipt else render_invoice_pdf
    return renderer(order, invoice, payments, DEMO_BRANDING, locale)


__all__ = ["CACHE", "RenderJob", "RenderPool", "render_demo_invoice", "render_invoice_html",
           "render_invoice_pdf", "render_many", "render_receipt_html", "render_receipt_pdf"]
