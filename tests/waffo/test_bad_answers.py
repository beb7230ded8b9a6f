"""What Waffo may answer that it should not: each ends in a clear answer, never a crash."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from waffo_portal.core.exceptions import ValidationError
from waffo_portal.providers.waffo.records import plan_records, subscription_records
from waffo_portal.testing.fake_waffo import Fault
from waffo_portal.testing.fake_waffo.graphql import order_node

from .conftest import World

Change = Callable[[dict[str, Any]], None]


def _set(path: str, value: object) -> Change:
    def change(node: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = node
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return change


BROKEN: dict[str, Change] = {
    "product not an object": _set("subscriptionProduct", "x"),
    "product null": _set("subscriptionProduct", None),
    "product id null": _set("subscriptionProduct.id", None),
    "order id null": _set("id", None),
    "order id a number": _set("id", 123),
    "payments not a list": _set("payments", 5),
    "payment id a number": _set("payments.0.id", 123),
    "snapshot not an object": _set("payments.0.snapshotAmountDetails", "9.99"),
    "amount a float": _set("payments.0.snapshotAmountDetails.total", 9.99),
    "refunds not a list": _set("payments.0.refunds", {"id": "x"}),
    "refund amount not an object": _set("payments.0.refunds", [
        {"id": "REF_x", "status": "succeeded", "createdAt": "2026-03-01T10:00:00.000Z",
         "requestedAmountDetails": "1.00"}]),
    "period end missing": _set("currentPeriodEnd", None),
    "billing detail null": _set("billingDetail", None),
    "email a number": _set("buyerEmail", 42),
    "state a number": _set("billingDetail.state", 7),
}


@pytest.mark.parametrize("broken", list(BROKEN), ids=list(BROKEN))
def test_a_malformed_order_is_a_validation_error_naming_a_field(world: World,
                                                                broken: str) -> None:
    order = world.subscribe()
    node = json.loads(json.dumps(order_node(world.fake.books, world.fake.books.orders[order.id])))
    BROKEN[broken](node)
    with pytest.raises(ValidationError) as caught:
        subscription_records(node, 1)
    assert caught.value.keys  # a field is named; no AttributeError, TypeError or KeyError


def test_a_malformed_product_is_left_out_not_fatal(world: World) -> None:
    data = {"subscriptionProducts": [
        {"id": world.pro.id, "name": "Pro", "billingPeriod": "monthly", "status": "active",
         "prices": [{"currency": "USD", "priceInfo": {"amount": "30.00"}}]},
        {"id": "PROD_broken", "prices": {"USD": "1"}},
        {"id": world.team.id, "name": "Team", "billingPeriod": "monthly", "status": "active",
         "prices": [{"currency": "USD", "priceInfo": "90"}]}],
        "subscriptionProductGroups": None}
    assert [p.plan.id for p in plan_records(data, "USD", "waffo", 1)] == [world.pro.id]


def test_a_webhook_whose_order_reads_back_unusable_is_refused_with_422(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    import waffo_portal.testing.fake_waffo.graphql as fake_graphql
    original = fake_graphql.order_node

    def without_billing(books: Any, order: Any) -> dict[str, Any]:
        node = original(books, order)
        node["billingDetail"] = None  # valid GraphQL (the field is nullable), unusable
        return node

    world.fake.books.subscribe(world.starter.id, email="a@example.com", identity="u1")
    events = world.fake.pending()
    monkeypatch.setattr(fake_graphql, "order_node", without_billing)
    assert [world.fake.send(world.fake.signed(e)) for e in events] == [422, 422]
    assert world.store.list_subscriptions("u1") == []
    monkeypatch.setattr(fake_graphql, "order_node", original)
    assert [world.fake.send(world.fake.signed(e)) for e in events] == [200, 200]


def test_a_type_error_in_waffos_answer_fails_the_read_and_asks_for_redelivery(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    import waffo_portal.testing.fake_waffo.graphql as fake_graphql
    original = fake_graphql.order_node

    def broken(books: Any, order: Any) -> dict[str, Any]:
        node = original(books, order)
        node["payments"] = 5  # GraphQL answers null for it, with an error
        return node

    world.fake.books.subscribe(world.starter.id, email="a@example.com", identity="u1")
    event = world.fake.pending()[0]
    monkeypatch.setattr(fake_graphql, "order_node", broken)
    assert world.fake.send(world.fake.signed(event)) == 503
    assert world.store.list_subscriptions("u1") == []


def test_a_cancel_that_worked_at_waffo_is_kept_even_if_the_read_back_fails(
        world: World) -> None:
    from waffo_portal.core.models import CancellationReason, SubscriptionStatus
    from waffo_portal.providers.waffo.provider import CANCEL_ORDER
    order = world.subscribe()
    world.fake.faults.append(Fault("/v1/graphql", status=503, times=3))
    outcome = world.portal.cancel_subscription(
        "user-42", order.id, reason="unused", comment="Not using it",
        idempotency_key="readback-fails-abcdef")
    assert outcome.status == "scheduled"
    assert world.fake.books.orders[order.id].status == "canceling"
    assert len([r for r in world.fake.requests if r["path"] == CANCEL_ORDER]) == 1
    sub = world.store.get_subscription(order.id)
    assert sub.status is SubscriptionStatus.CANCELING
    assert sub.cancellation is not None and sub.cancellation.reason is CancellationReason.UNUSED
    world.fake.deliver()  # Waffo's webhook: the reason stays the buyer's
    sub = world.store.get_subscription(order.id)
    assert sub.cancellation is not None and sub.cancellation.comment == "Not using it"
