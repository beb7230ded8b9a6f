"""A past-due subscription (the demo's hans@example.de, renewal declined): the banner
says what is owed and since when, "Pay now" pays the open order once, whatever happens."""

from __future__ import annotations

import re

import pytest

from waffo_portal import GatewayMode, OrderStatus, SubscriptionStatus
from waffo_portal.core.exceptions import ProviderUnavailable
from waffo_portal.demo import seed_demo
from waffo_portal.testing import PortalKit, make_kit
from waffo_portal.testing.client import PortalTestClient, TestResponse
from waffo_portal.web import PortalWebApp

from .helpers import login

SUB, ORDER = "sub-demo4", "demo4-declined"
PAY = f"/orders/{ORDER}/pay"
BANNER = re.compile(r'<div class="notice notice-error past-due" role="alert">(.*?)</div>\s*</div>',
                    re.S)


@pytest.fixture
def kit() -> PortalKit:
    kit = make_kit()
    seed_demo(kit.store, kit.clock.now())  # now: January 2, 2026; hans renewed Dec 21
    return kit


@pytest.fixture
def hans(kit: PortalKit) -> PortalTestClient:
    client = PortalTestClient(PortalWebApp(kit.portal))
    login(client, kit, "hans@example.de")
    client.get("/", query={"lang": "en"})  # hans reads German; the assertions are English
    return client


def _banner(page: TestResponse) -> str:
    found = BANNER.search(page.text)
    assert found is not None, page.text
    return found.group(1)


def _order_status(kit: PortalKit) -> OrderStatus:
    order = kit.store.get_order(ORDER)
    assert order is not None
    return order.status


@pytest.mark.parametrize("path", ["/", f"/subscriptions/{SUB}"])
def test_the_banner_states_amount_date_and_when_access_ends(hans: PortalTestClient,
                                                            path: str) -> None:
    page = hans.get(path)
    banner = _banner(page)
    assert "Your payment of €29.00 for Pro failed on December 21, 2025." in banner
    assert "your access ends on January 21, 2026" in banner
    assert "Pay €29.00 now" in banner and "Update payment method" in banner
    form = page.form(PAY)
    assert form.method == "POST" and form.action.endswith(PAY)
    assert set(form.values()) >= {"csrf_token", "_page", "idempotency_key"}
    assert len(form.values()["idempotency_key"]) >= 16
    page.form(f"/subscriptions/{SUB}/payment-method")
    # What is owed, never a "next bill" that hides the unpaid one.
    assert "Next bill" not in page.text
    assert "€29.00, unpaid since December 21, 2025" in page.text


def test_no_banner_for_a_buyer_who_owes_nothing(kit: PortalKit) -> None:
    client = PortalTestClient(PortalWebApp(kit.portal))
    login(client, kit, "ada@example.com")
    for path in ("/", "/subscriptions/sub_1"):
        assert "past-due" not in client.get(path).text


def test_pay_now_pays_the_order_once_even_when_submitted_twice(hans: PortalTestClient,
                                                               kit: PortalKit) -> None:
    page = hans.get(f"/subscriptions/{SUB}")
    done = hans.submit(page, PAY)
    assert done.location == f"/billing/subscriptions/{SUB}?msg=paid"
    again = hans.submit(page, PAY)  # a double click, or a second tab
    assert again.location == done.location
    assert [c.amount.amount for c in kit.gateway.charges] == [2900]
    assert _order_status(kit) is OrderStatus.COMPLETED
    sub = kit.store.get_subscription(SUB)
    assert sub is not None and sub.status is SubscriptionStatus.ACTIVE
    after = hans.follow(done)
    assert "your payment went through" in after.text and "past-due" not in after.text
    assert "Next bill" in after.text


def test_pay_now_from_the_overview_returns_to_the_subscription(hans: PortalTestClient,
                                                               kit: PortalKit) -> None:
    done = hans.submit(hans.get("/"), PAY)
    assert done.location == f"/billing/subscriptions/{SUB}?msg=paid"
    assert _order_status(kit) is OrderStatus.COMPLETED


def test_the_unpaid_orders_own_page_offers_to_pay_it(hans: PortalTestClient,
                                                     kit: PortalKit) -> None:
    page = hans.get(f"/orders/{ORDER}")
    assert "Payment failed" in page.text and "Pay €29.00 now" in page.text
    page.form(f"/subscriptions/{SUB}/payment-method")
    done = hans.submit(page, PAY)
    assert done.location == f"/billing/subscriptions/{SUB}?msg=paid"
    assert _order_status(kit) is OrderStatus.COMPLETED
    paid = hans.get(f"/orders/{ORDER}")
    assert PAY not in paid.text and "past-due" not in paid.text


def test_a_declined_payment_says_so_and_changes_nothing(hans: PortalTestClient,
                                                        kit: PortalKit) -> None:
    kit.gateway.mode = GatewayMode.DECLINE
    page = hans.get(f"/subscriptions/{SUB}")
    failed = hans.submit(page, PAY)
    assert failed.status == 402
    assert "Your payment was declined. Nothing was charged." in failed.text
    assert "past-due" in failed.text  # still owed, both ways out still offered
    assert kit.gateway.charges == [] and _order_status(kit) is OrderStatus.PENDING
    old = page.form(PAY).values()["idempotency_key"]
    assert failed.form(PAY).values()["idempotency_key"] != old


def test_a_timeout_keeps_the_key_and_the_retry_charges_once(hans: PortalTestClient,
                                                            kit: PortalKit) -> None:
    kit.gateway.mode = GatewayMode.TIMEOUT_AFTER_CHARGE  # charged, but the answer is lost
    page = hans.get(f"/subscriptions/{SUB}")
    failed = hans.submit(page, PAY)
    assert failed.status == 504
    assert "did not answer" in failed.text and "not be charged twice" in failed.text
    assert _order_status(kit) is OrderStatus.PENDING
    key = page.form(PAY).values()["idempotency_key"]
    assert failed.form(PAY).values()["idempotency_key"] == key
    kit.gateway.mode = GatewayMode.SUCCEED
    assert hans.submit(failed, PAY).location == f"/billing/subscriptions/{SUB}?msg=paid"
    assert len(kit.gateway.charges) == 1 and _order_status(kit) is OrderStatus.COMPLETED


def test_an_unreachable_provider_is_a_clear_error(hans: PortalTestClient, kit: PortalKit,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def down(**_kwargs: object) -> object:
        raise ProviderUnavailable("down")

    monkeypatch.setattr(kit.gateway, "charge", down)
    page = hans.get(f"/subscriptions/{SUB}")
    failed = hans.submit(page, PAY)
    assert failed.status == 503 and "did not answer" in failed.text
    assert failed.form(PAY).values() == page.form(PAY).values() | {
        "csrf_token": failed.form(PAY).values()["csrf_token"]}
    assert _order_status(kit) is OrderStatus.PENDING


def test_another_buyers_order_cannot_be_paid(kit: PortalKit) -> None:
    client = PortalTestClient(PortalWebApp(kit.portal))
    login(client, kit)
    token = client.get("/").csrf_token
    answer = client.post(PAY, {"csrf_token": token, "idempotency_key": "k" * 24})
    assert answer.status == 404
    assert kit.gateway.calls == 0 and _order_status(kit) is OrderStatus.PENDING


def test_pay_needs_the_csrf_token(hans: PortalTestClient, kit: PortalKit) -> None:
    answer = hans.post(PAY, {"idempotency_key": "k" * 24})
    assert answer.status == 403 and kit.gateway.calls == 0
