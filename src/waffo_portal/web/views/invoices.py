"""Invoices and receipts: the page, the printable document, the PDF, and revising details.

The document itself is rendered by the invoices package; these views only choose the
language and kind, scope everything to the buyer and set the right headers.
"""

from __future__ import annotations

import re

from ...core.exceptions import DocumentPreparing
from ...core.settlement import settle
from ...i18n import normalize_locale
from ...invoices.wording import isolate
from ..forms import (
    billing_form_context,
    save_billing,
    values_from_details,
    values_from_form,
    wants_refresh,
)
from ..http import Response
from ..page import HTML, Page
from ..security import content_security_policy, framed_document_ancestors, style_hashes

_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]")


def _doc_locale(page: Page) -> str:
    return normalize_locale(page.request.query.get_one("doc_lang")) or page.locale


def _receipt(page: Page) -> bool:
    return page.request.query.get_one("type") == "receipt"


def _page(page: Page, order_id: str, status: int = 200, values: dict[str, str] | None = None,
          errors: dict[str, str] | None = None) -> Response:
    invoice = page.portal.get_invoice(page.buyer_id, order_id)
    order = page.portal.get_order(page.buyer_id, order_id)
    if values is None:
        values = values_from_details(invoice.billing_details or order.billing_details)
    # A receipt is offered only for an order that took money (a declined renewal has none).
    charged = settle(order, page.portal.list_payments(page.buyer_id, order_id)).state.charged
    receipt = charged and _receipt(page)
    doc_query = {"doc_lang": _doc_locale(page), "type": "receipt" if receipt else ""}
    # The number inside translated text ("فاتورة INV-0001") is one isolate: never reordered.
    return page.render("invoice.html", status, invoice=invoice, order=order, charged=charged,
                       number=isolate(invoice.number),
                       doc_locale=_doc_locale(page), receipt=receipt, doc_query=doc_query,
                       revised=page.request.query.get_one("msg") == "revised",
                       **billing_form_context(page, values, errors))


def invoice_page(page: Page, order_id: str) -> Response:
    return _page(page, order_id)


def invoice_billing(page: Page, order_id: str) -> Response:
    page.portal.get_invoice(page.buyer_id, order_id)  # 404 for another buyer's order
    if wants_refresh(page.request.form):
        return _page(page, order_id, values=values_from_form(page.request.form))
    values, errors = save_billing(page, order_id)
    if errors:
        return _page(page, order_id, 422, values, errors)
    return page.redirect(f"/orders/{order_id}/invoice", {"msg": "revised"})


def invoice_document(page: Page, order_id: str) -> Response:
    html = page.portal.render_invoice_html(page.buyer_id, order_id, locale=_doc_locale(page),
                                           receipt=_receipt(page))
    # The document brings its own <style>; admit exactly that block, and let our own
    # invoice page frame it, also where the merchant embeds that page.
    ancestors = framed_document_ancestors(page.config)
    policy = content_security_policy(page.config, style_hashes=style_hashes(html),
                                     frame_ancestors=ancestors)
    headers = [("Content-Type", HTML), ("Content-Security-Policy", policy)]
    if ancestors == ("'self'",):  # XFO cannot name other origins: only when self alone
        headers.append(("X-Frame-Options", "SAMEORIGIN"))
    return Response(200, headers, html.encode("utf-8"))


def invoice_pdf(page: Page, order_id: str) -> Response:
    invoice = page.portal.get_invoice(page.buyer_id, order_id)
    try:
        pdf = page.portal.render_invoice_pdf(page.buyer_id, order_id, locale=_doc_locale(page),
                                             receipt=_receipt(page), wait=False)
    except DocumentPreparing as preparing:
        # A large document is drawn on a worker process: the buyer asks again.
        response = page.render("preparing.html", 202, again=page.here())
        return response.with_headers([("Retry-After", str(preparing.retry_after))])
    kind = "receipt" if _receipt(page) else "invoice"
    filename = _UNSAFE_FILENAME.sub("_", f"{kind}-{invoice.number}.pdf")
    return Response(200, (("Content-Type", "application/pdf"),
                          ("Content-Disposition", f'attachment; filename="{filename}"')), pdf)
