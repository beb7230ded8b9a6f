"""Orders newest first (keyset pages) and one order with its payments."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ...core.models import Order
from ..http import Response
from ..page import Page

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


def order_list(page: Page) -> Response:
    before = decode_cursor(page.request.query.get_one("after"))
    found = list(page.portal.list_orders(page.buyer_id, PAGE_SIZE + 1, before))
    orders, more = found[:PAGE_SIZE], len(found) > PAGE_SIZE
    next_cursor = encode_cursor(orders[-1]) if more and orders else ""
    return page.render("orders.html", orders=orders, next_cursor=next_cursor,
                       paged=before is not None)


def order_detail(page: Page, order_id: str) -> Response:
    order = page.portal.get_order(page.buyer_id, order_id)
    payments = page.portal.list_payments(page.buyer_id, order.id)
    return page.render("order.html", order=order, payments=payments)
