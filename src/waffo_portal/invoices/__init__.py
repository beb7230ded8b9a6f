"""Invoices and receipts: HTML and PDF in every supported locale."""

from __future__ import annotations

from .batch import RenderJob, RenderPool, render_many
from .render import (
    CACHE,
    render_invoice_html,
    render_invoice_pdf,
    render_receipt_html,
    render_receipt_pdf,
)


def render_demo_invoice(locale: str, receipt: bool = False) -> bytes:
    """A PDF of the built-in sample (a local business buyer) in ``locale``; for the CLI."""
    from .demo import DEMO_BRANDING, demo_records

    order, invoice, payments = demo_records(locale)
    renderer = render_receipt_pdf if receipt else render_invoice_pdf
    return renderer(order, invoice, payments, DEMO_BRANDING, locale)


__all__ = ["CACHE", "RenderJob", "RenderPool", "render_demo_invoice", "render_invoice_html",
           "render_invoice_pdf", "render_many", "render_receipt_html", "render_receipt_pdf"]
