"""The buyer's actions through Waffo: confirmed on Waffo's page, results by webhook."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest

from waffo_portal.core.exceptions import Conflict, PlanChangeNotAllowed, ProviderUnavailable
from waffo_portal.core.models import CancellationReason, SubscriptionStatus
from waffo_portal.providers.waffo import WaffoProvider
from waffo_portal.providers.waffo.provider import CANCEL_ORDER, CREATE_SESSION, REACTIVATE_ORDER
from waffo_portal.service import Portal
from waffo_portal.testing.client import PortalTestClient
from waffo_portal.testing.factories import test_config
from waffo_portal.testing.fake_waffo import Fault
from waffo_portal.web import PortalWebApp

from ..web.helpers import login
from .conftest import World

BACK = "https://shop.example/billing/subscriptions/x"


def _confirm_on_waffo(url: str, choice: str = "confirm") -> httpx.Response:
    return httpx.post(url.split("#")[0], data={"choice": choice})


def test_a_downgrade_is_scheduled_by_waffo_and_applied_at_renewal(world: World) -> None:
    order = world.subscribe(world.pro)
    outcome = world.portal.change_plan("user-42", order.id, world.starter.id,
                                       idempotency_key="down-key-0001-abcdef", return_url=BACK)
    sent = world.fake.requests[-2]
    assert sent["path"] == CREATE_SESSION
    assert b'"changeTiming":"next_period"' in sent["body"]  # type: ignore[operator]
    assert b'"successUrl":"' + BACK.encode() in sent["body"]  # type: ignore[operator]
    assert "#token=jwt." in outcome.redirect_url  # the buyer lands signed in at Waffo
    assert _confirm_on_waffo(outcome.redirect_url).headers["location"] == BACK
    world.fake.deliver()
    sub = world.store.get_subscription(order.id)
    assert sub.plan_id == world.pro.id and sub.pending_change is None
    assert sub.scheduled_change is not None and sub.scheduled_change.plan_id == world.starter.id
    assert sub.scheduled_change.effective_at == sub.current_period_end
    world.advance(timedelta(days=31))
    world.fake.books.renew(order.id)
    world.fake.deliver()
    renewed = world.store.get_subscription(order.id)
    assert renewed.plan_id == world.starter.id and renewed.scheduled_change is None


def test_a_change_declined_on_waffos_page_keeps_the_plan(world: World) -> None:
    order = world.subscribe()
    outcome = world.portal.change_plan("user-42", order.id, world.pro.id,
                                       idempotency_key="declined-0001-abcdefgh", return_url=BACK)
    _confirm_on_waffo(outcome.redirect_url, "decline")
    assert [d.event.event_type for d in world.fake.deliver()] == [
        "subscription.plan_change_failed"]
    sub = world.store.get_subscription(order.id)
    assert sub.plan_id == world.starter.id and sub.pending_change is None


def test_the_redirect_back_alone_switches_nothing_and_pending_lapses(world: World) -> None:
    order = world.subscribe(email="ada@example.com")
    client = PortalTestClient(PortalWebApp(world.portal))
    login(client, world)  # type: ignore[arg-type]
    review = client.get(f"/subscriptions/{order.id}/change/review",
                        query={"plan": world.pro.id})
    to_waffo = client.submit(review, f"/subscriptions/{order.id}/change")
    back = httpx.get((to_waffo.location or "").split("#")[0])  # the buyer looks, then leaves
    assert back.status_code == 200
    page = client.get(f"/subscriptions/{order.id}")  # the return URL, without confirming
    assert "pending confirmation" in page.text
    assert world.store.get_subscription(order.id).plan_id == world.starter.id
    world.advance(timedelta(minutes=46))  # Waffo's session expired unconfirmed
    login(client, world)  # type: ignore[arg-type]  # (so did the portal's, after 30 minutes)
    page = client.get(f"/subscriptions/{order.id}")
    assert page.status == 200 and "Starter" in page.text
    assert "pending confirmation" not in page.text


def test_a_slow_waffo_is_retried_with_the_same_key_and_opens_one_session(
        world: World) -> None:
    order = world.subscribe()
    settings = world.fake.settings(deadline_seconds=1)
    slow = WaffoProvider(settings, clock=world.clock)
    portal = Portal(test_config(), store=world.store, mailer=world.mailer, provider=slow,
                    clock=world.clock)
    world.fake.faults.append(Fault(CREATE_SESSION, status=0, delay=1.3))
    with pytest.raises(ProviderUnavailable):
        portal.change_plan("user-42", order.id, world.pro.id,
                           idempotency_key="slow-key-0001-abcdef")
    assert world.store.get_subscription(order.id).pending_change is None  # nothing half-done
    time.sleep(1.5)  # the first request completes at the fake meanwhile
    again = portal.change_plan("user-42", order.id, world.pro.id,
                               idempotency_key="slow-key-0001-abcdef")
    assert again.status == "confirm"
    assert len(world.fake.books.sessions) == 1
    keys = {r["headers"]["x-idempotency-key"] for r in world.fake.requests  # type: ignore[index]
            if r["path"] == CREATE_SESSION}
    assert len(keys) == 1
    slow.client.close()


def test_cancel_keeps_the_buyers_reason_after_waffos_webhooks(world: World) -> None:
    order = world.subscribe()
    outcome = world.portal.cancel_subscription(
        "user-42", order.id, reason="too_expensive", comment="Cheaper elsewhere",
        idempotency_key="cancel-key-0001-abcdef")
    assert outcome.status == "scheduled"
    assert b"reason" not in world.fake.requests[-2]["body"]  # type: ignore[operator]
    world.fake.deliver()
    world.advance(timedelta(days=31))
    world.fake.books.end(order.id)
    world.fake.deliver()
    sub = world.store.get_subscription(order.id)
    assert sub.status is SubscriptionStatus.CANCELED
    assert sub.cancellation is not None
    assert sub.cancellation.reason is CancellationReason.TOO_EXPENSIVE
    assert sub.cancellation.comment == "Cheaper elsewhere"


def test_waffo_down_during_cancel_changes_nothing_and_a_retry_cancels_once(
        world: World) -> None:
    order = world.subscribe()
    world.fake.faults.append(Fault(CANCEL_ORDER, status=503, times=3))
    with pytest.raises(ProviderUnavailable):
        world.portal.cancel_subscription("user-42", order.id,
                                         idempotency_key="retry-key-0001-abcdef")
    assert world.store.get_subscription(order.id).status is SubscriptionStatus.ACTIVE
    assert world.fake.books.orders[order.id].status == "active"
    world.portal.cancel_subscription("user-42", order.id,
                                     idempotency_key="retry-key-0001-abcdef")
    assert world.store.get_subscription(order.id).status is SubscriptionStatus.CANCELING
    world.portal.cancel_subscription("user-42", order.id,
                                     idempotency_key="retry-key-0001-abcdef")
    canceling = [e for e in world.fake.pending() if e.event_type == "subscription.canceling"]
    assert len(canceling) == 1


def test_reactivate_goes_as_the_buyer(world: World) -> None:
    order = world.subscribe()
    world.portal.cancel_subscription("user-42", order.id, idempotency_key="cancel-key-0002-abcdef")
    outcome = world.portal.reactivate_subscription("user-42", order.id,
                                                   idempotency_key="react-key-0001-abcdef")
    assert outcome.subscription.status is SubscriptionStatus.ACTIVE
    sent = [r for r in world.fake.requests if r["path"] == REACTIVATE_ORDER][-1]
    assert sent["headers"]["authorization"].startswith("Bearer ")  # type: ignore[index]


def test_an_unpaid_balance_blocks_reactivation_with_a_clear_message(world: World) -> None:
    order = world.subscribe()
    world.advance(timedelta(days=31))
    world.fake.books.renew(order.id, succeed=False)
    world.fake.deliver()
    world.portal.cancel_subscription("user-42", order.id, idempotency_key="cancel-key-0003-abcdef")
    with pytest.raises(PlanChangeNotAllowed) as caught:
        world.portal.reactivate_subscription("user-42", order.id,
                                             idempotency_key="react-key-0002-abcdef")
    assert caught.value.key == "provider.unpaid_balance"
    assert world.store.get_subscription(order.id).status is SubscriptionStatus.CANCELING


def test_billing_details_are_waffos_and_read_only(world: World) -> None:
    world.subscribe()
    assert world.portal.billing_details_editable is False
    with pytest.raises(Conflict) as caught:
        world.portal.update_billing_details("user-42", {"country": "FR"})
    assert caught.value.key == "provider.billing_read_only"
    details = world.store.get_billing_details("user-42")
    assert details is not None and details.country == "DE"


def test_the_pages_show_pending_confirmation_and_read_only_billing(world: World) -> None:
    order = world.subscribe(email="ada@example.com")
    client = PortalTestClient(PortalWebApp(world.portal))
    login(client, world)  # type: ignore[arg-type]
    review = client.get(f"/subscriptions/{order.id}/change/review",
                        query={"plan": world.pro.id})
    assert "This is an estimate" in review.text and "Continue to confirm" in review.text
    assert "Confirm and pay" not in review.text  # Waffo's page shows the exact amount
    csp = review.header("Content-Security-Policy") or ""
    assert f"form-action 'self' {world.fake.url};" in csp
    done = client.submit(review, f"/subscriptions/{order.id}/change")
    assert done.status == 303 and (done.location or "").startswith(world.fake.url + "/store/")
    page = client.get(f"/subscriptions/{order.id}").text
    assert "Change to Pro: pending confirmation" in page
    assert "Starter" in page
    billing = client.get("/billing-details").text
    assert "Save billing details" not in billing and 'name="postal_code"' not in billing
    assert "10115" in billing  # shown, read-only
    assert f"{world.fake.url}/consumer/portal/login" in billing
    card = client.submit(client.get(f"/subscriptions/{order.id}"),
                         f"/subscriptions/{order.id}/payment-method")
    assert card.status == 303 and card.location == f"{world.fake.url}/consumer/portal/login"


@pytest.mark.parametrize(("fault", "status", "key"), [
    (Fault(CANCEL_ORDER, status=503, times=3), 503, "provider.unavailable"),
    (Fault(CANCEL_ORDER, status=500, times=3), 503, "provider.unavailable"),
    (Fault(CANCEL_ORDER, status=429, times=3), 503, "provider.busy"),
    (Fault(CANCEL_ORDER, status=409, times=3,
           message="Idempotent request is already being processed"), 503, "provider.busy"),
    (Fault(CANCEL_ORDER, status=403, message="Forbidden"), 409, "provider.refused"),
    (Fault(CANCEL_ORDER, status=400, message="Bad request"), 409, "provider.refused"),
])
def test_a_failing_waffo_leaves_the_subscription_and_says_why_in_the_buyers_language(
        world: World, fault: Fault, status: int, key: str) -> None:
    from waffo_portal.core.messages import message_for
    from waffo_portal.i18n import get_translations

    order = world.subscribe(email="ada@example.com")
    client = PortalTestClient(PortalWebApp(world.portal), headers={"Accept-Language": "de"})
    login(client, world)  # type: ignore[arg-type]
    form = client.get(f"/subscriptions/{order.id}/cancel")
    world.fake.faults.append(fault)
    done = client.submit(form, f"/subscriptions/{order.id}/cancel")
    assert done.status == status
    german = get_translations("de", "portal").gettext(message_for(key))
    assert german != message_for(key) and german in done.text
    assert world.store.get_subscription(order.id).status is SubscriptionStatus.ACTIVE
    assert world.fake.books.orders[order.id].status == "active"


def test_a_double_submit_replays_the_same_page_without_storing_the_token(world: World) -> None:
    order = world.subscribe()
    first = world.portal.change_plan("user-42", order.id, world.pro.id,
                                     idempotency_key="double-submit-abcdef")
    again = world.portal.change_plan("user-42", order.id, world.pro.id,
                                     idempotency_key="double-submit-abcdef")
    assert "#token=" in first.redirect_url
    assert again.redirect_url == first.redirect_url.partition("#")[0]
    assert len(world.fake.books.sessions) == 1
    stored = world.store.begin_idempotent("provider:change_plan", "user-42:double-submit-abcdef",
                                          f"{order.id}|{world.pro.id}", world.clock.now())
    assert stored is not None and "token" not in stored


def test_undoing_a_scheduled_downgrade_is_a_change_back_confirmed_on_waffo(
        world: World) -> None:
    order = world.subscribe(world.pro)
    down = world.portal.change_plan("user-42", order.id, world.starter.id,
                                    idempotency_key="undo-down-abcdefgh")
    _confirm_on_waffo(down.redirect_url)
    world.fake.deliver()
    assert world.store.get_subscription(order.id).scheduled_change is not None
    undo = world.portal.undo_scheduled_change("user-42", order.id,
                                              idempotency_key="undo-back-abcdefgh",
                                              return_url=BACK)
    assert undo.status == "confirm"
    sent = [r for r in world.fake.requests if r["path"] == CREATE_SESSION][-1]["body"]
    assert f'"productId":"{world.pro.id}"'.encode() in sent  # type: ignore[operator]
    assert b'"changeTiming":"next_period"' in sent  # type: ignore[operator]
    _confirm_on_waffo(undo.redirect_url)
    world.fake.deliver()
    sub = world.store.get_subscription(order.id)
    assert sub.plan_id == world.pro.id and sub.scheduled_change is None
    world.advance(timedelta(days=31))
    world.fake.books.renew(order.id)
    world.fake.deliver()
    assert world.store.get_subscription(order.id).plan_id == world.pro.id


def test_a_scheduled_downgrade_survives_later_read_backs(world: World) -> None:
    order = world.subscribe(world.pro)
    down = world.portal.change_plan("user-42", order.id, world.starter.id,
                                    idempotency_key="keep-down-abcdefgh")
    _confirm_on_waffo(down.redirect_url)
    world.fake.deliver()
    first_payment = world.fake.books.orders[order.id].payments[0]
    world.fake.books.refund(first_payment.id, "1.00")  # a refund event re-reads the order
    world.fake.deliver()
    for page in world.provider.reader.every_page("subscription", None, 10, world.clock.now):
        world.portal.sync.apply(page.records)  # what `waffo sync` does
    sub = world.store.get_subscription(order.id)
    assert sub.scheduled_change is not None and sub.scheduled_change.plan_id == world.starter.id


def test_a_past_charge_keeps_the_plan_it_paid_for_after_an_upgrade(world: World) -> None:
    order = world.subscribe()
    world.advance(timedelta(days=10))
    up = world.portal.change_plan("user-42", order.id, world.pro.id,
                                  idempotency_key="keep-upgrade-abcdefgh")
    _confirm_on_waffo(up.redirect_url)
    world.fake.deliver()
    lines = sorted((o.created_at, o.line_items[0].description)
                   for o in world.store.list_orders("user-42", 10))
    assert [text for _, text in lines] == ["Starter", "Pro"]


def _scheduled_downgrade(world: World) -> str:
    order = world.subscribe(world.team)
    down = world.portal.change_plan("user-42", order.id, world.starter.id,
                                    idempotency_key="sched-down-abcdefgh")
    _confirm_on_waffo(down.redirect_url)
    world.fake.deliver()
    assert world.store.get_subscription(order.id).scheduled_change is not None
    return order.id


def test_an_immediate_change_drops_a_scheduled_downgrade(world: World) -> None:
    order_id = _scheduled_downgrade(world)
    session = world.fake.books.open_session(order_id, world.pro.id, "USD", "immediate", "")
    world.fake.books.confirm(session.id)
    world.fake.deliver()
    sub = world.store.get_subscription(order_id)
    assert sub.plan_id == world.pro.id and sub.scheduled_change is None


def test_a_late_scheduled_event_does_not_revive_a_change_on_a_canceled_subscription(
        world: World) -> None:
    order = world.subscribe(world.team)
    session = world.fake.books.open_session(order.id, world.starter.id, "USD",
                                            "next_period", "")
    world.fake.books.confirm(session.id)
    late = world.fake.pending()  # held back by the network
    world.fake.books.cancel(order.id)
    world.fake.deliver()
    for event in late:
        assert world.fake.send(world.fake.signed(event)) == 200
    sub = world.store.get_subscription(order.id)
    assert sub.status is SubscriptionStatus.CANCELING and sub.scheduled_change is None


def test_a_pending_change_survives_unrelated_read_backs_and_blocks_another_target(
        world: World) -> None:
    order = world.subscribe()
    world.portal.change_plan("user-42", order.id, world.pro.id,
                             idempotency_key="pending-one-abcdefgh")
    world.fake.books.refund(world.fake.books.orders[order.id].payments[0].id, "1.00")
    world.fake.deliver()  # a refund event re-reads the subscription
    sub = world.store.get_subscription(order.id)
    assert sub.pending_change is not None and sub.pending_change.plan_id == world.pro.id
    with pytest.raises(PlanChangeNotAllowed) as caught:
        world.portal.change_plan("user-42", order.id, world.team.id,
                                 idempotency_key="pending-two-abcdefgh")
    assert caught.value.key == "plan.change_pending"
    again = world.portal.change_plan("user-42", order.id, world.pro.id,
                                     idempotency_key="pending-three-abcdef")
    assert again.status == "confirm"  # the same target: the buyer may open the page again


@pytest.mark.parametrize(("fault", "status", "key"), [
    (Fault(CREATE_SESSION, status=503, times=3), 503, "provider.unavailable"),
    (Fault(CREATE_SESSION, status=429, times=3), 503, "provider.busy"),
    (Fault(CREATE_SESSION, status=409, times=3), 503, "provider.busy"),
    (Fault(CREATE_SESSION, status=403, message=(
        "Target plan is not in the same product group as the current plan")), 409,
     "plan.not_replaceable"),
    (Fault(CREATE_SESSION, status=400, message="Bad request"), 409, "provider.refused"),
])
def test_a_plan_change_waffo_refuses_says_why_in_the_buyers_language(
        world: World, fault: Fault, status: int, key: str) -> None:
    from waffo_portal.core.messages import message_for
    from waffo_portal.i18n import get_translations

    order = world.subscribe(email="ada@example.com")
    client = PortalTestClient(PortalWebApp(world.portal), headers={"Accept-Language": "ja"})
    login(client, world)  # type: ignore[arg-type]
    review = client.get(f"/subscriptions/{order.id}/change/review",
                        query={"plan": world.pro.id})
    world.fake.faults.append(fault)
    done = client.submit(review, f"/subscriptions/{order.id}/change")
    assert done.status == status
    japanese = get_translations("ja", "portal").gettext(message_for(key))
    assert japanese != message_for(key) and japanese in done.text
    sub = world.store.get_subscription(order.id)
    assert sub.plan_id == world.starter.id and sub.pending_change is None
    assert world.fake.books.sessions == {}


def test_an_expired_buyer_token_is_minted_once_more(world: World) -> None:
    from waffo_portal.providers.waffo.client import ISSUE_TOKEN
    order = world.subscribe()
    world.portal.cancel_subscription("user-42", order.id, idempotency_key="cancel-remint-abcdef")
    world.fake.faults.append(Fault(REACTIVATE_ORDER, status=401, message="Session expired"))
    outcome = world.portal.reactivate_subscription("user-42", order.id,
                                                   idempotency_key="react-remint-abcdef")
    assert outcome.subscription.status is SubscriptionStatus.ACTIVE
    assert len([r for r in world.fake.requests if r["path"] == ISSUE_TOKEN]) == 2
    world.fake.faults.append(Fault(REACTIVATE_ORDER, status=401, message="Session expired",
                                   times=2))
    world.portal.cancel_subscription("user-42", order.id, idempotency_key="cancel-remint-2-abcd")
    with pytest.raises(ProviderUnavailable):  # a second refusal is not retried forever
        world.portal.reactivate_subscription("user-42", order.id,
                                             idempotency_key="react-remint-2-abcde")


def test_a_timeout_on_the_cancel_page_says_so_in_the_buyers_language_and_cancels_once(
        world: World) -> None:
    from waffo_portal.core.messages import message_for
    from waffo_portal.i18n import get_translations

    order = world.subscribe(email="ada@example.com")
    slow = WaffoProvider(world.fake.settings(deadline_seconds=1), clock=world.clock)
    portal = Portal(test_config(), store=world.store, mailer=world.mailer, provider=slow,
                    clock=world.clock)
    client = PortalTestClient(PortalWebApp(portal), headers={"Accept-Language": "th"})
    world.portal = portal  # the login helper mails through the same mailer and store
    login(client, world)  # type: ignore[arg-type]
    form = client.get(f"/subscriptions/{order.id}/cancel")
    world.fake.faults.append(Fault(CANCEL_ORDER, status=0, delay=1.3))
    done = client.submit(form, f"/subscriptions/{order.id}/cancel")
    assert done.status == 503
    thai = get_translations("th", "portal").gettext(message_for("provider.unavailable"))
    assert thai != message_for("provider.unavailable") and thai in done.text
    assert world.store.get_subscription(order.id).status is SubscriptionStatus.ACTIVE
    time.sleep(1.5)  # Waffo finished the slow request meanwhile
    world.advance(timedelta(seconds=2))  # (and the frozen clock moves on as real time does)
    again = client.submit(form, f"/subscriptions/{order.id}/cancel")  # the same form, same key
    assert again.status == 303
    assert world.store.get_subscription(order.id).status is SubscriptionStatus.CANCELING
    assert [e.event_type for e in world.fake.pending()] == ["subscription.canceling"]
    slow.client.close()
