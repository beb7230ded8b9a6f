"""Invoices for the buyer: issue on first request, render in the buyer's language."""

from __future__ import annotations

from ..core.exceptions import NotFound
from ..core.models import Invoice, Order
from ..i18n import choose_locale
from .context import Deps


def owned_order(deps: Deps, buyer_id: str, order_id: str) -> Order:
    order = deps.store.get_order(order_id)
    if order is None or order.buyer_id != buyer_id:
        raise NotFound("order", order_id)
    return order


def invoice_for_order(deps: Deps, buyer_id: str, order_id: str) -> Invoice:
    """The order's invoice, numbered now if it never was (another buyer's order: NotFound)."""
    return _issued(deps, owned_order(deps, buyer_id, order_id))


def _issued(deps: Deps, order: Order) -> Invoice:
    existing = deps.store.get_invoice(order.id)
    if existing is not None:
        return existing
    # With a provider of record, an order the provider sent no invoice for is dated when the
    # provider recorded it (an imported September order is not invoiced "today").
    issued_at = order.created_at if deps.provider is not None else deps.clock.now()
    return deps.store.issue_invoice(order, deps.config.invoice_prefix, issued_at)


def render_invoice(deps: Deps, buyer_id: str, order_id: str, *, locale: str | None = None,
                   receipt: bool = False, fmt: str = "pdf") -> bytes:
    """The invoice (or receipt) of one of the buyer's orders, as PDF or UTF-8 HTML."""
    order = owned_order(deps, buyer_id, order_id)
    invoice = _issued(deps, order)
    payments = deps.store.list_payments(order.id)
    buyer = deps.store.get_buyer(buyer_id)
    # Explicit choice > the buyer's saved preference > the portal default.
    chosen = choose_locale(locale, buyer.locale if buyer else None, None,
                           deps.config.default_locale)
    branding = deps.config.branding
    # Imported here: ReportLab and xhtml2pdf load only in a process that draws a document.
    from ..invoices import render

    if fmt == "html":
        html = render.render_receipt_html if receipt else render.render_invoice_html
        return html(order, invoice, payments, branding, chosen, buyer=buyer).encode()
    pdf = render.render_receipt_pdf if receipt else render.render_invoice_pdf
    return pdf(order, invoice, payments, branding, chosen, buyer=buyer)
