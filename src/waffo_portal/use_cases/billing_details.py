"""Buyer-facing billing-details use cases: read, update, and revise an invoice.

Validation runs before anything is written; the details, the audit record and
the invoice revision then land in one ``store.atomic()`` block, so a failure at
any step leaves all three as they were. Tax ids appear in audit records and
events only masked (``tax_id_display``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Final

import attrs

from ..core.billing_details import (
    TAX_SUMMARY_STATUSES,
    TaxLine,
    details_for_audit,
    validate_billing_details,
)
from ..core.exceptions import Conflict, NotFound
from ..core.models import BillingDetails, Invoice
from ..ports import OrderStore
from .context import Deps

REVISION_WINDOW: Final = timedelta(days=1)


def get_billing_details(deps: Deps, buyer_id: str) -> BillingDetails | None:
    """The buyer's current billing details, or None if never set."""
    return deps.store.get_billing_details(buyer_id)


def _owned_invoice(deps: Deps, buyer_id: str, order_id: str) -> Invoice:
    """The invoice of the buyer's own order; anything else is NotFound (no probing)."""
    order = deps.store.get_order(order_id)
    invoice = deps.store.get_invoice(order_id)
    if order is None or order.buyer_id != buyer_id or invoice is None \
            or invoice.buyer_id != buyer_id:
        raise NotFound("invoice", order_id)
    return invoice


def editable(deps: Deps) -> bool:
    """A provider MAY declare ``billing_details_editable = False``: it keeps the details
    and offers no API to change them, so an edit here would silently diverge."""
    return bool(getattr(deps.provider, "billing_details_editable", True))


def update_billing_details(deps: Deps, buyer_id: str, raw: Mapping[str, str], *,
                           revise_invoice_order_id: str | None = None) -> BillingDetails:
    """Validate and save the buyer's billing details (they apply to future orders).

    From an invoice page, ``revise_invoice_order_id`` also corrects that order's issued
    invoice: same number, ``revision`` + 1, ``revised_at`` now. A correction may fix the
    name and address only; a change of country, business status or VAT id would alter
    the tax already charged, so it is refused (``invoice.tax_treatment_locked``) and
    nothing is written. Corrections are limited per buyer and day. Submitting unchanged
    details writes nothing.
    """
    if not editable(deps):
        raise Conflict(key="provider.billing_read_only")
    details = validate_billing_details(raw)
    if revise_invoice_order_id is not None:
        _check_correction(deps, buyer_id, revise_invoice_order_id, details)  # before writing
    revised: Invoice | None = None
    with deps.store.atomic():
        old = deps.store.get_billing_details(buyer_id)
        invoice = None
        if revise_invoice_order_id is not None:
            invoice = _owned_invoice(deps, buyer_id, revise_invoice_order_id)
        if old == details and (invoice is None or invoice.billing_details == details):
            return details
        deps.store.save_billing_details(buyer_id, details)
        new = details_for_audit(details)
        if invoice is not None and invoice.billing_details != details:
            _count_revision(deps, buyer_id)
            revised = attrs.evolve(invoice, billing_details=details,
                                   revision=invoice.revision + 1, revised_at=deps.clock.now())
            deps.store.save_invoice(revised)
            new |= {"invoice": revised.number, "invoice_revision": str(revised.revision)}
        deps.audit(actor=f"buyer:{buyer_id}", action="billing.updated",
                   subject=f"buyer:{buyer_id}", old=details_for_audit(old), new=new)
    extra = {} if revised is None else {"invoice": revised.number,
                                        "invoice_revision": str(revised.revision)}
    deps.emit("billing.updated", buyer_id, country=details.country,
              is_business=new["is_business"], tax_id=new["tax_id"], **extra)
    return details


def _check_correction(deps: Deps, buyer_id: str, order_id: str,
                      details: BillingDetails) -> None:
    """An issued invoice is corrected in substance never: what decided its tax stays."""
    invoice = _owned_invoice(deps, buyer_id, order_id)
    order = deps.store.get_order(order_id)
    assert order is not None  # _owned_invoice checked it
    issued_to = invoice.billing_details or order.billing_details
    if details.tax_treatment() != issued_to.tax_treatment():
        raise Conflict(key="invoice.tax_treatment_locked", order_id=order_id)


def _count_revision(deps: Deps, buyer_id: str) -> None:
    """One more correction today; past the limit the whole update is refused (the
    caller's transaction rolls back, so the details are not half saved)."""
    used = deps.store.count_attempt(f"invoice_revision:{buyer_id}", REVISION_WINDOW,
                                    deps.clock.now())
    if used > deps.config.invoice_revisions_per_day:
        raise Conflict(key="invoice.revisions_exhausted")


__all__ = ["get_billing_details", "update_billing_details"]


MAX_TAX_SUMMARY: Final = 100


def tax_summary(store: OrderStore, buyer_id: str, limit: int = 20) -> list[TaxLine]:
    """The buyer's most recent charged orders (completed or refunded), newest first."""
    limit = max(1, min(limit, MAX_TAX_SUMMARY))
    lines: list[TaxLine] = []
    before: tuple[datetime, str] | None = None
    while len(lines) < limit:
        page = store.list_orders(buyer_id, limit, before)
        for order in page:
            if order.buyer_id == buyer_id and order.status in TAX_SUMMARY_STATUSES:
                details = order.billing_details
                lines.append(TaxLine(order.id, order.created_at, order.status, order.subtotal,
                                     order.tax_rate, order.tax, order.total, order.tax_note,
                                     details.country, details.tax_id))
        if len(page) < limit:
            break
        before = (page[-1].created_at, page[-1].id)
    return lines[:limit]
