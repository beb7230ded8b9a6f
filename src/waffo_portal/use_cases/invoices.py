"""Invoices for the buyer: numbered when the order is paid, rendered in the buyer's
language. Looking never numbers: an order that was not charged has no invoice, and
only a charged (paid or refunded) order has a receipt."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta

from ..core.exceptions import Conflict, DocumentPreparing, NotFound, RateLimited
from ..core.models import BACKGROUND_LINE_ITEMS, MAX_LINE_ITEMS, Invoice, Order
from ..core.settlement import settle
from ..i18n import choose_locale
from .context import Deps


def owned_order(deps: Deps, buyer_id: str, order_id: str) -> Order:
    order = deps.store.get_order(order_id)
    if order is None or order.buyer_id != buyer_id:
        raise NotFound("order", order_id)
    return order


def invoice_for_order(deps: Deps, buyer_id: str, order_id: str) -> Invoice:
    """The order's invoice (another buyer's order: NotFound; an order not paid yet:
    Conflict ``invoice.not_issued``)."""
    return _issued(deps, owned_order(deps, buyer_id, order_id))


def _issued(deps: Deps, order: Order) -> Invoice:
    existing = deps.store.get_invoice(order.id)
    if existing is None:
        raise Conflict(key="invoice.not_issued", order_id=order.id)
    return existing


def issue_invoice(deps: Deps, order_id: str) -> Invoice:
    """Merchant side: number a charged order that has no invoice yet (orders paid before
    numbering moved to payment time), dated when it was paid. Idempotent."""
    order = deps.store.get_order(order_id)
    if order is None:
        raise NotFound("order", order_id)
    view = settle(order, deps.store.list_payments(order_id))
    if not view.state.charged:
        raise Conflict(key="invoice.not_issued", order_id=order_id)
    paid_at = view.paid_at.created_at if view.paid_at is not None else order.created_at
    with deps.store.atomic():
        return deps.store.issue_invoice(order, deps.config.invoice_prefix, paid_at)


def render_invoice(deps: Deps, buyer_id: str, order_id: str, *, locale: str | None = None,
                   receipt: bool = False, fmt: str = "pdf", wait: bool = True) -> bytes:
    """The invoice (or receipt) of one of the buyer's orders, as PDF or UTF-8 HTML.

    ``wait=False``: a large PDF not rendered yet is drawn in the background, and
    DocumentPreparing says to ask again."""
    order = owned_order(deps, buyer_id, order_id)
    invoice = _issued(deps, order)
    payments = deps.store.list_payments(order.id)
    if receipt and not settle(order, payments).state.charged:
        raise Conflict(key="invoice.no_receipt", order_id=order_id)
    if len(order.line_items) > MAX_LINE_ITEMS:  # stored before the cap: not drawn here
        raise Conflict(key="invoice.too_large", order_id=order_id)
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

    def cold() -> AbstractContextManager[None]:
        return _cold_render(deps, buyer_id)

    if not wait and len(order.line_items) > BACKGROUND_LINE_ITEMS:
        from ..invoices.background import render_pdf_in_background

        found = render_pdf_in_background(order, invoice, payments, branding, chosen,
                                         receipt=receipt, buyer=buyer, cold=cold)
        if found is None:
            raise DocumentPreparing(order_id=order_id)
        return found
    pdf = render.render_receipt_pdf if receipt else render.render_invoice_pdf
    return pdf(order, invoice, payments, branding, chosen, buyer=buyer, cold=cold)


# Buyers with a cold PDF render running in this process, by store: one at a time each, so
# one buyer cannot queue renders behind xhtml2pdf's process-wide lock.
_RENDERING: set[tuple[int, str]] = set()
_RENDERING_LOCK = threading.Lock()
RENDER_WINDOW = timedelta(minutes=1)


@contextmanager
def _cold_render(deps: Deps, buyer_id: str) -> Iterator[None]:
    """Admission for a real render: the buyer's budget per minute, and not while another
    of theirs is being drawn. Cached re-downloads never get here."""
    limit = deps.config.cold_renders_per_minute
    if deps.store.count_attempt(f"render:{buyer_id}", RENDER_WINDOW, deps.clock.now(),
                                limit) > limit:
        raise RateLimited(key="invoice.render_limit")
    slot = (id(deps.store), buyer_id)
    with _RENDERING_LOCK:
        if slot in _RENDERING:
            raise RateLimited(key="invoice.render_busy")
        _RENDERING.add(slot)
    try:
        yield
    finally:
        with _RENDERING_LOCK:
            _RENDERING.discard(slot)
