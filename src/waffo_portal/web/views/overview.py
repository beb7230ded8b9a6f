"""The landing page: subscriptions at a glance (what is past due first), latest orders,
billing details."""

from __future__ import annotations

from ..http import Response
from ..page import Page
from .orders import order_views
from .subscriptions import new_key, summaries

LATEST_ORDERS = 5


def overview(page: Page) -> Response:
    portal, buyer_id = page.portal, page.buyer_id
    subscriptions = [s for s in summaries(page) if s.subscription.status.has_access]
    orders = order_views(page, portal.list_orders(buyer_id, LATEST_ORDERS))
    return page.render("overview.html", subscriptions=subscriptions, orders=orders,
                       # each with its own key: one key is one payment of one order
                       past_due=[(s, new_key()) for s in subscriptions if s.recovery],
                       details=portal.get_billing_details(buyer_id))
