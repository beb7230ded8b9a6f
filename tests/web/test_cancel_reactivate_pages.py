"""What the cancel page says about a scheduled change, and what a reactivation renews."""

from __future__ import annotations

import attrs

from waffo_portal import Money, SubscriptionStatus
from waffo_portal.testing import PortalKit
from waffo_portal.testing.client import PortalTestClient

SET_ASIDE = ("Your switch to Basic on February 1, 2026 will not happen, because the "
             "subscription ends then.")
KEPT = "If you reactivate before then, it stays scheduled."


def _schedule_downgrade_to_basic(kit: PortalKit) -> None:
    current = kit.store.get_subscription("sub_1")
    assert current is not None
    kit.store.save_subscription(attrs.evolve(current, plan_id="team-usd"))
    kit.portal.change_plan(kit.buyer.id, "sub_1", "basic-usd",
                           idempotency_key="web-downgrade-0000001")


def test_the_cancel_page_says_what_happens_to_a_scheduled_change(
        buyer: PortalTestClient, kit: PortalKit) -> None:
    assert SET_ASIDE not in buyer.get("/subscriptions/sub_1/cancel").text  # nothing scheduled
    _schedule_downgrade_to_basic(kit)
    form = buyer.get("/subscriptions/sub_1/cancel")
    assert SET_ASIDE in form.text and KEPT in form.text
    done = buyer.submit(form, "/subscriptions/sub_1/cancel", {"reason": "too_expensive"})
    detail = buyer.follow(done)
    assert SET_ASIDE in detail.text and KEPT in detail.text  # beside "Keep my subscription"
    stored = kit.store.get_subscription("sub_1")
    assert stored is not None and stored.status is SubscriptionStatus.CANCELING
    assert stored.scheduled_change is not None
    assert stored.cancellation is not None and stored.cancellation.reason == "too_expensive"


def test_reactivating_states_the_scheduled_plan_its_price_and_date(
        buyer: PortalTestClient, kit: PortalKit) -> None:
    _schedule_downgrade_to_basic(kit)
    detail = buyer.follow(buyer.submit(buyer.get("/subscriptions/sub_1/cancel"),
                                       "/subscriptions/sub_1/cancel"))
    back = buyer.submit(detail, "/subscriptions/sub_1/reactivate")
    assert back.location == "/billing/subscriptions/sub_1?msg=reactivated"
    page = buyer.follow(back)
    assert ("Your subscription was reactivated: it renews on February 1, 2026 on Basic at "
            "$5.00 per month.") in page.text
    assert "Your switch to Basic stays scheduled." in page.text
    assert SET_ASIDE not in page.text  # active again: nothing is set aside any more
    stored = kit.store.get_subscription("sub_1")
    assert stored is not None and stored.scheduled_change is not None
    assert stored.scheduled_change.plan_id == "basic-usd"
    kit.portal.apply_due(stored.current_period_end)
    assert [c.amount for c in kit.gateway.charges] == [Money(500, "USD")]


def test_reactivating_without_a_change_states_the_current_plan(
        buyer: PortalTestClient, kit: PortalKit) -> None:
    current = kit.store.get_subscription("sub_1")
    assert current is not None
    kit.store.save_subscription(attrs.evolve(current, plan_id="team-usd"))
    detail = buyer.follow(buyer.submit(buyer.get("/subscriptions/sub_1/cancel"),
                                       "/subscriptions/sub_1/cancel"))
    page = buyer.follow(buyer.submit(detail, "/subscriptions/sub_1/reactivate"))
    assert ("Your subscription was reactivated: it renews on February 1, 2026 on Team at "
            "$50.00 per month.") in page.text
    assert "stays scheduled" not in page.text
