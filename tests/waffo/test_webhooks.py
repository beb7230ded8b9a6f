"""Waffo's 14 event types, duplicates, reordering and refusals, through the portal's route."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest

from waffo_portal.core.models import OrderStatus, PaymentStatus, SubscriptionStatus
from waffo_portal.providers.waffo import EVENT_TYPES
from waffo_portal.testing.fake_waffo import Delivery
from waffo_portal.testing.fake_waffo.state import Event

from .conftest import World


def _deliver(world: World, events: list[Event]) -> list[int]:
    return [world.fake.send(world.fake.signed(event)) for event in events]


def _life_of_a_subscription(world: World) -> Counter[str]:
    """Drive one subscription through every state Waffo has; count the events sent."""
    books, sent = world.fake.books, Counter[str]()

    def step(action: object = None) -> None:
        events = world.fake.pending()
        sent.update(e.event_type for e in events)
        assert all(code == 200 for code in _deliver(world, events)), events

    order = books.subscribe(world.starter.id, email="alice@example.com", identity="user-42",
                            billing={"country": "DE", "isBusiness": False, "postcode": "10115"})
    step()
    world.advance(timedelta(days=31))
    books.renew(order.id)
    step()
    world.advance(timedelta(days=30))
    books.renew(order.id, succeed=False)
    step()
    assert world.store.get_subscription(order.id).status is SubscriptionStatus.PAST_DUE
    books.recover(order.id)
    step()
    session = books.open_session(order.id, world.pro.id, "USD", "immediate", "")
    books.confirm(session.id)
    step()
    session = books.open_session(order.id, world.starter.id, "USD", "next_period", "")
    books.confirm(session.id)
    step()
    sub = world.store.get_subscription(order.id)
    assert sub.scheduled_change is not None and sub.scheduled_change.plan_id == world.starter.id
    failed = books.open_session(order.id, world.team.id, "USD", "immediate", "")
    books.confirm(failed.id, succeed=False)
    step()
    books.cancel(order.id)
    step()
    assert world.store.get_subscription(order.id).status is SubscriptionStatus.CANCELING
    books.reactivate(order.id)
    step()
    books.cancel(order.id)
    step()
    books.end(order.id)
    step()
    last = books.orders[order.id].payments[0]
    books.refund(last.id, "5.00")
    step()
    books.refund(last.id, "1.00", succeed=False)
    step()
    once = books.buy_once(world.team.id, email="alice@example.com", identity="user-42")
    step()
    books.refund(once.payments[0].id)
    step()
    return sent


def test_every_event_type_lands_in_the_portal(world: World) -> None:
    sent = _life_of_a_subscription(world)
    assert set(sent) == EVENT_TYPES and len(EVENT_TYPES) == 14
    subs = world.store.list_subscriptions("user-42")
    assert [s.status for s in subs] == [SubscriptionStatus.CANCELED]
    assert subs[0].plan_id == world.pro.id  # the immediate upgrade; the downgrade was dropped
    orders = world.store.list_orders("user-42", 50)
    by_kind = Counter(o.kind.value for o in orders)
    # activation, renewal, failed renewal (then recovered), upgrade proration; one one-time
    assert by_kind == {"subscription": 4, "one_time": 1}
    assert all(o.status is not OrderStatus.PENDING for o in orders)  # the failed one was paid
    first = next(o for o in orders if o.subscription_id and o.created_at == min(
        x.created_at for x in orders))
    payment = world.store.list_payments(first.id)[0]
    assert [r.amount.amount for r in payment.refunds] == [500]  # the failed refund moved nothing
    once = next(o for o in orders if o.kind.value == "one_time")
    assert once.status is OrderStatus.COMPLETED
    assert world.store.list_payments(once.id)[0].refunds[0].amount == once.total


def test_amounts_and_tax_are_waffos(world: World) -> None:
    order = world.subscribe()  # Starter 10.00 + 19 % German VAT, as the fake charges
    placed = world.store.list_orders("user-42", 5)[0]
    assert (placed.subtotal.amount, placed.tax.amount, placed.total.amount) == (1000, 190, 1190)
    assert placed.tax_rate == 19
    assert placed.line_items[0].description == "Starter"
    assert placed.subscription_id == order.id
    details = world.store.get_billing_details("user-42")
    assert details is not None and details.country == "DE" and details.postal_code == "10115"
    buyer = world.store.get_buyer("user-42")
    assert buyer is not None and buyer.email == "alice@example.com"


def test_a_repeated_delivery_is_taken_once(world: World) -> None:
    from waffo_portal.web import PortalWebApp, Request

    web = PortalWebApp(world.portal)

    def post(delivery: Delivery) -> tuple[int, str]:
        answer = web.handle(Request("POST", "/webhooks/waffo", headers=delivery.headers,
                                    body=delivery.body))
        return answer.status, json.loads(answer.body)["status"]

    world.fake.books.subscribe(world.starter.id, email="a@example.com", identity="u1")
    first, second = (world.fake.signed(e) for e in world.fake.pending())
    assert post(first) == (200, "accepted")
    reads = len([r for r in world.fake.requests if r["path"] == "/v1/graphql"])
    assert post(first) == (200, "duplicate")  # Waffo's retry of the same delivery
    assert post(second) == (200, "accepted")
    assert len(world.store.list_subscriptions("u1")) == 1
    assert len([r for r in world.fake.requests if r["path"] == "/v1/graphql"]) > reads


def test_a_fan_out_copy_with_a_new_delivery_id_changes_nothing(world: World) -> None:
    order = world.subscribe(identity="u1")
    before = world.store.get_subscription(order.id)
    copy = Event("subscription.activated", order.id,
                 world.fake.books._subscription_data(world.fake.books.orders[order.id]),
                 world.clock.now())
    assert world.fake.send(world.fake.signed(copy)) == 200
    after = world.store.get_subscription(order.id)
    assert (after.status, after.plan_id, after.current_period_end) == (
        before.status, before.plan_id, before.current_period_end)


def test_out_of_order_deliveries_end_in_waffos_state(world: World) -> None:
    books = world.fake.books
    order = books.subscribe(world.starter.id, email="a@example.com", identity="u1")
    activated = world.fake.pending()
    books.cancel(order.id)
    canceling = world.fake.pending()
    books.end(order.id)
    canceled = world.fake.pending()
    # canceled first, then canceling, then the activation (payment before activation)
    for batch in (canceled, canceling, list(reversed(activated))):
        assert _deliver(world, batch) == [200] * len(batch)
    sub = world.store.get_subscription(order.id)
    assert sub.status is SubscriptionStatus.CANCELED
    assert world.store.list_payments(world.store.list_orders("u1", 5)[0].id)[0].status \
        is PaymentStatus.SUCCEEDED


def test_unknown_event_types_are_acknowledged_and_change_nothing(world: World) -> None:
    world.subscribe(identity="u1")
    event = Event("subscription.paused", "ORD_x", {"orderId": "ORD_x"}, world.clock.now())
    assert world.fake.send(world.fake.signed(event)) == 200
    assert len(world.store.list_subscriptions("u1")) == 1


@pytest.mark.parametrize("change", ["stale", "future", "tampered", "reserialised",
                                    "other-mode", "other-store", "no-order"])
def test_refused_deliveries_write_nothing(world: World, change: str) -> None:
    world.fake.books.subscribe(world.starter.id, email="a@example.com", identity="u1")
    event = world.fake.pending()[0]
    at = world.clock.now()
    if change == "stale":
        at -= timedelta(minutes=46)
    elif change == "future":
        at += timedelta(minutes=2)
    delivery = world.fake.signed(event, at=at)
    body = delivery.body
    if change == "tampered":
        body = body.replace(b'"alice', b'"mallory').replace(b"a@example.com", b"m@example.com")
    elif change == "reserialised":
        body = json.dumps(json.loads(body), indent=1).encode()
    elif change in ("other-mode", "other-store", "no-order"):
        envelope = json.loads(body)
        if change == "other-mode":
            envelope["mode"] = "prod"
        elif change == "other-store":
            envelope["storeId"] = "STO_" + "x" * 22
        else:
            del envelope["data"]["orderId"]
        body = json.dumps(envelope).encode()
        delivery = world.fake.signed(event)
        # re-sign the altered body, as a misconfigured but genuine sender would
        from waffo_portal.providers.waffo.signing import webhook_signature
        delivery.headers["X-Waffo-Signature"] = webhook_signature(
            world.fake._platform_key, body, int(at.timestamp() * 1000))  # type: ignore[arg-type]
    status = world.post_webhook(delivery.headers, body)
    assert status == 400
    assert world.store.list_subscriptions("u1") == []
    assert world.store.get_buyer("u1") is None


def test_waffo_down_during_the_read_back_asks_for_redelivery(world: World) -> None:
    from waffo_portal.testing.fake_waffo import Fault
    world.fake.books.subscribe(world.starter.id, email="a@example.com", identity="u1")
    events = world.fake.pending()
    world.fake.faults.append(Fault("/v1/graphql", status=503, times=3))
    assert world.fake.send(world.fake.signed(events[0])) == 503
    assert world.store.list_subscriptions("u1") == []
    assert _deliver(world, events) == [200, 200]  # Waffo's retry is taken in
    assert len(world.store.list_subscriptions("u1")) == 1
