"""Orders newest first (keyset pages) and one order with its payments.

Pages print an order as the invoice does: its lines worded in the page's language
(invoices.wording, one place for the words) and where it stands with its money
(core.settlement, the one derivation for list and detail), never the raw order status
("Paid" for a half-refunded order, "Pending" for one whose renewal payment failed)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import attrs

from ...core.exceptions import Conflict, NotFound
from ...core.models import Order, OrderStatus, Payment
from ...core.settlement import SettlementView, settle
from ...invoices.wording import Wording, isolate
from ..http import Response
from ..messages import SETTLEMENT_BADGES, failure_label
from ..page import Page
from .summary import new_key

PAGE_SIZE = 20
_CURSOR = re.compile(r"^(\d{1,20})\.([A-Za-z0-9_\-]{1,128})$")


def encode_cursor(order: Order) -> str:
    micros = int(order.created_at.timestamp()) * 1_000_000 + order.created_at.microsecond
    return f"{micros}.{order.id}"


def decode_cursor(value: str) -> tuple[datetime, str] | None:
    """The (created_at, id) after which to continue; None (the first page) for anything odd."""
    found = _CURSOR.match(value)
    if found is None:
        return None
    seconds, micros = divmod(int(found.group(1)), 1_000_000)
    try:
        moment = datetime.fromtimestamp(seconds, UTC).replace(microsecond=micros)
    except (OverflowError, OSError, ValueError):
        return None
    return moment, found.group(2)


@attrs.frozen
class OrderView:
    """One order as a page prints it."""

    order: Order
    description: str  # the first line's, worded
    lines: tuple[str, ...]  # every line's, worded
    settlement: SettlementView
    status: str  # the settlement, worded
    tax_label: str
    invoice_number: str = ""  # "" where none was issued (nothing charged, or not asked)

    @property
    def charged(self) -> bool:
        """Money was taken: the order has an invoice and a receipt."""
        return self.settlement.state.charged

    @property
    def badge(self) -> str:
        """The status badge's key (``badge-<key>``)."""
        return SETTLEMENT_BADGES[self.settlement.state]


def order_view(order: Order, payments: Sequence[Payment], words: Wording,
               seller_country: str = "") -> OrderView:
    lines = tuple(words.line(item) for item in order.line_items)
    settled = settle(order, payments)
    return OrderView(order, lines[0] if lines else "", lines, settled,
                     words.settlement(settled.state),
                     words.tax_line(order, seller_country))


def with_invoice_number(page: Page, view: OrderView) -> OrderView:
    """The view with its invoice number; none for an order that took no money, or one
    paid before numbering moved to payment time and not numbered since."""
    if not view.charged:
        return view  # never numbered: no read
    try:
        number = page.portal.get_invoice(page.buyer_id, view.order.id).number
    except Conflict:
        return view
    return attrs.evolve(view, invoice_number=number)


def order_views(page: Page, orders: Iterable[Order]) -> list[OrderView]:
    """The orders with their settlement and invoice number. The store has no batch read
    for either, so each order costs a payments read and, if charged, an invoice read
    (a page lists 20, inside the request's one ``Portal.reading()`` scope)."""
    words = Wording(page.locale)
    seller = page.config.branding.country
    return [with_invoice_number(page, order_view(
        order, page.portal.list_payments(page.buyer_id, order.id), words, seller))
        for order in orders]


def order_list(page: Page) -> Response:
    before = decode_cursor(page.request.query.get_one("after"))
    found = list(page.portal.list_orders(page.buyer_id, PAGE_SIZE + 1, before))
    orders, more = found[:PAGE_SIZE], len(found) > PAGE_SIZE
    next_cursor = encode_cursor(orders[-1]) if more and orders else ""
    return page.render("orders.html", orders=order_views(page, orders),
                       next_cursor=next_cursor, paged=before is not None)


def order_detail(page: Page, order_id: str) -> Response:
    order = page.portal.get_order(page.buyer_id, order_id)
    payments = page.portal.list_payments(page.buyer_id, order.id)
    words = Wording(page.locale)
    view = with_invoice_number(page, order_view(order, payments, words,
                                                page.config.branding.country))
    # isolate: an amount inside a translated sentence keeps its order in Arabic.
    return page.render("order.html", order=order, payments=payments, view=view,
                       failure_label=failure_label, isolate=isolate if words.rtl else str,
                       payable=_payable(page, order), pay_key=new_key())


def _payable(page: Page, order: Order) -> bool:
    """Whether this is the declined renewal a past-due subscription owes: the page then
    offers to pay it, as the subscription page does."""
    if order.status is not OrderStatus.PENDING or order.subscription_id is None:
        return False
    try:
        owed = page.portal.open_renewal(page.buyer_id, order.subscription_id)
    except NotFound:  # the subscription is gone: nothing to recover
        return False
    return owed is not None and owed.id == order.id
