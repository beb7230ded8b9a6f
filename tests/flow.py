"""One buyer journey, run against every framework adapter through a bridge."""

from __future__ import annotations

from waffo_portal.testing import PortalKit
from waffo_portal.testing.client import PortalTestClient

from .web.helpers import login


def check_buyer_journey(client: PortalTestClient, kit: PortalKit) -> None:
    done = login(client, kit, next_path="/billing/orders")
    assert done.location is not None and done.location.endswith("/billing/orders")
    orders = client.follow(done)
    assert orders.status == 200
    assert "ord_3" in orders.text and "ord_other" not in orders.text
    pdf = client.get("/orders/ord_3/invoice/pdf")
    assert pdf.status == 200 and pdf.response.body.startswith(b"%PDF")
    assert pdf.header("content-disposition") is not None
    sub = kit.subscription.id
    cancel_page = client.get(f"/subscriptions/{sub}/cancel")
    cancelled = client.submit(cancel_page, f"/subscriptions/{sub}/cancel",
                              {"reason": "too_expensive"})
    assert cancelled.status == 303
    stored = kit.store.get_subscription(sub)
    assert stored is not None and stored.cancellation is not None
    logout = client.submit(client.get("/"), "/logout")
    assert logout.status == 303
    assert client.get("/orders").status in (302, 303)
