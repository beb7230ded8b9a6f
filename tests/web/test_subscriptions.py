from __future__ import annotations

import attrs
import pytest

from waffo_portal import GatewayMode, Subscription, SubscriptionStatus
from waffo_portal.testing import PortalKit, sample_subscription
from waffo_portal.testing.client import PortalTestClient


def _sub(kit: PortalKit, subscription_id: str = "sub_1") -> str:
    current = kit.store.get_subscription(subscription_id)
    assert current is not None
    return current.plan_id


def test_detail_shows_plan_next_bill_and_card(buyer: PortalTestClient) -> None:
    page = buyer.get("/subscriptions/sub_1")
    assert page.status == 200
    for text in ("Basic", "$5.00 on February 1, 2026", "VISA •••• 4242", "Active"):
        assert text in page.text
    listing = buyer.get("/subscriptions")
    assert "/billing/subscriptions/sub_1" in listing.links()


def test_upgrade_review_and_confirm_charges_once(buyer: PortalTestClient,
                                                 kit: PortalKit) -> None:
    choose = buyer.get("/subscriptions/sub_1/change")
    review = buyer.submit(choose, "/subscriptions/sub_1/change/review", {"plan": "pro-usd"})
    assert review.status == 200
    assert "Credit for unused time on Basic" in review.text
    assert "Next bill: $20.00 on February 1, 2026" in review.text
    assert "Confirm and pay" in review.text and "This is an estimate" not in review.text
    key = review.form("/subscriptions/sub_1/change").values()["idempotency_key"]
    assert len(key) >= 16
    done = buyer.submit(review, "/subscriptions/sub_1/change")
    assert done.location == "/billing/subscriptions/sub_1?msg=upgraded"
    again = buyer.submit(review, "/subscriptions/sub_1/change")  # double submit
    assert again.location == done.location
    assert len(kit.gateway.charges) == 1
    assert _sub(kit) == "pro-usd"
    orders = kit.store.list_orders(kit.buyer.id, 10)
    assert orders[0].total == kit.gateway.charges[0].amount
    assert "prorated amount was charged" in buyer.follow(done).text


def test_downgrade_is_scheduled_and_shown(buyer: PortalTestClient, kit: PortalKit) -> None:
    kit.store.save_subscription(
        _evolve(kit, plan_id="team-usd"))
    review = buyer.get("/subscriptions/sub_1/change/review", query={"plan": "basic-usd"})
    assert "From February 1, 2026" in review.text
    done = buyer.submit(review, "/subscriptions/sub_1/change")
    assert done.location == "/billing/subscriptions/sub_1?msg=scheduled"
    detail = buyer.follow(done)
    assert "changes to Basic from February 1, 2026" in detail.text
    assert "$5.00 on February 1, 2026" in detail.text  # the next bill is the new plan's
    assert kit.gateway.calls == 0 and _sub(kit) == "team-usd"


def _evolve(kit: PortalKit, **changes: object) -> Subscription:
    current = kit.store.get_subscription("sub_1")
    assert current is not None
    return attrs.evolve(current, **changes)  # type: ignore[arg-type]


def test_decline_shows_the_review_again(buyer: PortalTestClient, kit: PortalKit) -> None:
    kit.gateway.mode = GatewayMode.DECLINE
    review = buyer.get("/subscriptions/sub_1/change/review", query={"plan": "pro-usd"})
    failed = buyer.submit(review, "/subscriptions/sub_1/change")
    assert failed.status == 402
    assert "payment was declined" in failed.text
    assert _sub(kit) == "basic-usd" and kit.gateway.charges == []
    old_key = review.form("/subscriptions/sub_1/change").values()["idempotency_key"]
    new_key = failed.form("/subscriptions/sub_1/change").values()["idempotency_key"]
    assert new_key != old_key  # a retry is a new attempt at the provider
    kit.gateway.mode = GatewayMode.SUCCEED
    assert buyer.submit(failed, "/subscriptions/sub_1/change").status == 303
    assert _sub(kit) == "pro-usd" and len(kit.gateway.charges) == 1


def test_timeout_says_try_again_and_the_retry_charges_once(buyer: PortalTestClient,
                                                           kit: PortalKit) -> None:
    kit.gateway.mode = GatewayMode.TIMEOUT_AFTER_CHARGE
    review = buyer.get("/subscriptions/sub_1/change/review", query={"plan": "pro-usd"})
    failed = buyer.submit(review, "/subscriptions/sub_1/change")
    assert failed.status == 504
    assert "did not answer in time" in failed.text
    assert _sub(kit) == "basic-usd"
    kit.gateway.mode = GatewayMode.SUCCEED
    assert buyer.submit(failed, "/subscriptions/sub_1/change").status == 303
    assert len(kit.gateway.charges) == 1 and _sub(kit) == "pro-usd"


def test_bad_plan_choice_is_a_form_error(buyer: PortalTestClient, kit: PortalKit) -> None:
    for plan in ("", "no-such-plan", "basic-usd"):
        page = buyer.get("/subscriptions/sub_1/change/review", query={"plan": plan})
        assert page.status == 422
    forged = buyer.get("/subscriptions/sub_1/change/review", query={"plan": "pro-usd"})
    bad_key = buyer.submit(forged, "/subscriptions/sub_1/change", {"idempotency_key": "x"})
    assert bad_key.status == 422 and kit.gateway.calls == 0


def test_cancel_with_reason_then_reactivate(buyer: PortalTestClient, kit: PortalKit) -> None:
    form = buyer.get("/subscriptions/sub_1/cancel")
    assert "February 1, 2026" in form.text
    done = buyer.submit(form, "/subscriptions/sub_1/cancel",
                        {"reason": "too_expensive", "comment": "<b>pricey</b>"})
    assert done.location == "/billing/subscriptions/sub_1?msg=canceled"
    detail = buyer.follow(done)
    assert "access until February 1, 2026" in detail.text
    sub = kit.store.get_subscription("sub_1")
    assert sub is not None and sub.status is SubscriptionStatus.CANCELING
    assert sub.cancellation is not None and sub.cancellation.reason == "too_expensive"
    back = buyer.submit(detail, "/subscriptions/sub_1/reactivate")
    assert back.location == "/billing/subscriptions/sub_1?msg=reactivated"
    sub = kit.store.get_subscription("sub_1")
    assert sub is not None and sub.status is SubscriptionStatus.ACTIVE


def test_cancel_with_a_bad_reason_keeps_the_input(buyer: PortalTestClient,
                                                   kit: PortalKit) -> None:
    form = buyer.get("/subscriptions/sub_1/cancel")
    bad = buyer.submit(form, "/subscriptions/sub_1/cancel",
                       {"reason": "made_up", "comment": "keep me"})
    assert bad.status == 422
    assert "Choose a reason from the list" in bad.text and ">keep me</textarea>" in bad.text
    sub = kit.store.get_subscription("sub_1")
    assert sub is not None and sub.status is SubscriptionStatus.ACTIVE


def test_payment_method_update_redirects_to_the_provider(buyer: PortalTestClient) -> None:
    page = buyer.get("/subscriptions/sub_1")
    moved = buyer.submit(page, "/subscriptions/sub_1/payment-method")
    assert moved.status == 303
    assert moved.location is not None
    assert moved.location.startswith("https://payments.example/update?subscription=sub_1")


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/subscriptions/sub_x"), ("GET", "/subscriptions/sub_x/change"),
    ("GET", "/subscriptions/sub_x/change/review?plan=pro-usd"),
    ("GET", "/subscriptions/sub_x/cancel"), ("POST", "/subscriptions/sub_x/change"),
    ("POST", "/subscriptions/sub_x/cancel"), ("POST", "/subscriptions/sub_x/reactivate"),
    ("POST", "/subscriptions/sub_x/payment-method"),
])
def test_another_buyers_subscription_is_404(buyer: PortalTestClient, kit: PortalKit,
                                           method: str, path: str) -> None:
    other = sample_subscription(kit.other_buyer.id, kit.plans["basic"],
                                subscription_id="sub_x")
    saved = kit.store.save_subscription(other)
    token = buyer.get("/").csrf_token
    form = {"csrf_token": token, "plan": "pro-usd", "idempotency_key": "k" * 24}
    answer = buyer.request(method, path, form=form if method == "POST" else None)
    assert answer.status == 404
    assert kit.gateway.calls == 0
    assert kit.store.get_subscription("sub_x") == saved


@pytest.mark.parametrize(("path", "current"), [("/", "/billing/"),
                                               ("/subscriptions", "/billing/subscriptions"),
                                               ("/orders", "/billing/orders")])
def test_navigation_marks_the_current_section_in_the_buyers_language(
        buyer: PortalTestClient, path: str, current: str) -> None:
    english = buyer.get(path)
    assert f'<a href="{current}" aria-current="page">' in english.text
    assert english.text.count('aria-current="page"') == 1
    for href, label in [("/billing/", "Overview"), ("/billing/subscriptions", "Subscriptions"),
                        ("/billing/orders", "Orders"),
                        ("/billing/billing-details", "Billing details")]:
        assert f">{label}</a></li>" in english.text and f'<a href="{href}"' in english.text
    japanese = buyer.get(path, query={"lang": "ja"})
    assert ">概要</a></li>" in japanese.text and ">Overview</a>" not in japanese.text
