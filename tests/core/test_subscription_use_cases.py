from __future__ import annotations

import threading
import time

import pytest

from waffo_portal import (
    Conflict,
    GatewayMode,
    IdempotencyKeyReused,
    Money,
    NotFound,
    OrderKind,
    PaymentDeclined,
    PaymentTimeout,
    PlanChangeNotAllowed,
    PortalEvent,
    SubscriptionStatus,
    ValidationError,
)
from waffo_portal.testing import PortalKit, make_kit

KEY = "key-0000000000000001"
KEY2 = "key-0000000000000002"


class Sink:
    def __init__(self) -> None:
        self.events: list[PortalEvent] = []

    def emit(self, event: PortalEvent) -> None:
        self.events.append(event)


def test_upgrade_charges_prorated_difference_and_switches_now(kit: PortalKit) -> None:
    sub, pro = kit.subscription, kit.plans["pro"]
    outcome = kit.portal.change_plan(kit.buyer.id, sub.id, pro.id, idempotency_key=KEY)
    # One day into a 31-day January: 30/31 of (2000 - 500), each line rounded separately.
    assert outcome.kind == "upgrade"
    assert outcome.amount_charged == Money(1935 - 484, "USD")
    assert [c.amount for c in kit.gateway.charges] == [Money(1451, "USD")]
    stored = kit.store.get_subscription(sub.id)
    assert stored is not None and stored.plan_id == pro.id
    assert outcome.order_id is not None
    order = kit.store.get_order(outcome.order_id)
    assert order is not None and order.kind is OrderKind.SUBSCRIPTION
    assert order.total == Money(1451, "USD")
    assert [line.amount.amount for line in order.line_items] == [1935, -484]
    payments = kit.store.list_payments(order.id)
    assert [p.provider_reference for p in payments] == [kit.gateway.charges[0].reference]
    audit = kit.store.list_audit_events(f"subscription:{sub.id}")
    assert [e.action for e in audit] == ["subscription.upgrade"]
    assert audit[0].amount == Money(1451, "USD") and audit[0].idempotency_key == KEY
    assert audit[0].old == {"plan_id": "basic-usd"}


def test_downgrade_is_scheduled_and_charges_nothing(kit: PortalKit) -> None:
    kit.portal.change_plan(kit.buyer.id, kit.subscription.id, kit.plans["team"].id,
                           idempotency_key=KEY)
    sub = kit.store.get_subscription(kit.subscription.id)
    assert sub is not None
    outcome = kit.portal.change_plan(kit.buyer.id, sub.id, kit.plans["pro"].id,
                                     idempotency_key=KEY2)
    assert outcome.kind == "downgrade"
    assert outcome.amount_charged is None
    assert len(kit.gateway.charges) == 1
    after = kit.store.get_subscription(sub.id)
    assert after is not None and after.plan_id == kit.plans["team"].id
    assert after.scheduled_change is not None
    assert after.scheduled_change.plan_id == kit.plans["pro"].id
    assert after.scheduled_change.effective_at == sub.current_period_end


def test_replay_returns_stored_result_and_charges_once(kit: PortalKit) -> None:
    args = (kit.buyer.id, kit.subscription.id, kit.plans["pro"].id)
    first = kit.portal.change_plan(*args, idempotency_key=KEY)
    second = kit.portal.change_plan(*args, idempotency_key=KEY)
    assert second.order_id == first.order_id
    assert second.amount_charged == first.amount_charged
    assert len(kit.gateway.charges) == 1
    with pytest.raises(IdempotencyKeyReused):
        kit.portal.change_plan(kit.buyer.id, kit.subscription.id, kit.plans["team"].id,
                               idempotency_key=KEY)


def test_decline_leaves_everything_as_it_was(kit: PortalKit) -> None:
    kit.gateway.mode = GatewayMode.DECLINE
    with pytest.raises(PaymentDeclined):
        kit.portal.change_plan(kit.buyer.id, kit.subscription.id, kit.plans["pro"].id,
                               idempotency_key=KEY)
    assert kit.store.get_subscription(kit.subscription.id) == kit.subscription
    assert kit.store.list_orders(kit.buyer.id, 10) == []
    assert kit.gateway.charges == []
    failed = kit.store.list_audit_events(f"subscription:{kit.subscription.id}")
    assert [e.action for e in failed] == ["subscription.plan_change_failed"]
    # The lease was released: a new attempt with a working card goes through.
    kit.gateway.mode = GatewayMode.SUCCEED
    kit.portal.change_plan(kit.buyer.id, kit.subscription.id, kit.plans["pro"].id,
                           idempotency_key=KEY2)
    assert len(kit.gateway.charges) == 1


def test_timeout_after_charge_then_retry_charges_once(kit: PortalKit) -> None:
    kit.gateway.mode = GatewayMode.TIMEOUT_AFTER_CHARGE
    args = (kit.buyer.id, kit.subscription.id, kit.plans["pro"].id)
    with pytest.raises(PaymentTimeout):
        kit.portal.change_plan(*args, idempotency_key=KEY)
    assert kit.store.get_subscription(kit.subscription.id) == kit.subscription
    kit.gateway.mode = GatewayMode.SUCCEED
    outcome = kit.portal.change_plan(*args, idempotency_key=KEY)
    assert outcome.kind == "upgrade"
    assert len(kit.gateway.charges) == 1  # the provider deduplicated the retried key
    assert kit.gateway.calls == 2


def test_timeout_before_charge_leaves_nothing_charged(kit: PortalKit) -> None:
    kit.gateway.mode = GatewayMode.TIMEOUT_BEFORE_CHARGE
    with pytest.raises(PaymentTimeout):
        kit.portal.change_plan(kit.buyer.id, kit.subscription.id, kit.plans["pro"].id,
                               idempotency_key=KEY)
    assert kit.gateway.charges == []
    assert kit.store.get_subscription(kit.subscription.id) == kit.subscription


def test_another_buyers_subscription_is_not_found_and_not_charged(kit: PortalKit) -> None:
    for call in (
        lambda: kit.portal.change_plan(kit.other_buyer.id, kit.subscription.id,
                                       kit.plans["pro"].id, idempotency_key=KEY),
        lambda: kit.portal.cancel_subscription(kit.other_buyer.id, kit.subscription.id,
                                               idempotency_key=KEY),
        lambda: kit.portal.quote_plan_change(kit.other_buyer.id, kit.subscription.id,
                                             kit.plans["pro"].id),
        lambda: kit.portal.reactivate_subscription(kit.other_buyer.id, kit.subscription.id,
                                                   idempotency_key=KEY),
    ):
        with pytest.raises(NotFound):
            call()
    assert kit.gateway.calls == 0
    assert kit.store.get_subscription(kit.subscription.id) == kit.subscription


def test_bad_keys_and_unknown_plans_are_validation_errors(kit: PortalKit) -> None:
    with pytest.raises(ValidationError):
        kit.portal.change_plan(kit.buyer.id, kit.subscription.id, kit.plans["pro"].id,
                               idempotency_key="short")
    with pytest.raises(ValidationError):
        kit.portal.change_plan(kit.buyer.id, kit.subscription.id, "nope", idempotency_key=KEY)
    assert kit.gateway.calls == 0


def test_concurrent_upgrades_charge_once(kit: PortalKit) -> None:
    kit.gateway.before_charge = lambda: time.sleep(0.02)
    barrier = threading.Barrier(8)
    outcomes: list[object] = []

    def attempt(index: int) -> None:
        barrier.wait()
        try:
            outcomes.append(kit.portal.change_plan(
                kit.buyer.id, kit.subscription.id, kit.plans["pro"].id,
                idempotency_key=f"race-key-{index:010d}"))
        except Conflict as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(kit.gateway.charges) == 1
    assert sum(1 for o in outcomes if not isinstance(o, Conflict)) == 1


def test_cancel_keeps_access_until_period_end_and_reactivate_undoes_it() -> None:
    sink = Sink()
    kit = make_kit(events=sink)
    outcome = kit.portal.cancel_subscription(kit.buyer.id, kit.subscription.id,
                                             reason="too_expensive", comment=" pricey ",
                                             idempotency_key=KEY)
    sub = outcome.subscription
    assert sub.status is SubscriptionStatus.CANCELING and sub.status.has_access
    assert sub.cancellation is not None
    assert sub.cancellation.reason == "too_expensive" and sub.cancellation.comment == "pricey"
    assert outcome.effective_at == kit.subscription.current_period_end
    assert [e.type for e in sink.events] == ["subscription.canceling"]
    assert sink.events[0].data["reason"] == "too_expensive"
    with pytest.raises(PlanChangeNotAllowed):
        kit.portal.cancel_subscription(kit.buyer.id, sub.id, idempotency_key=KEY2)
    again = kit.portal.reactivate_subscription(kit.buyer.id, sub.id,
                                               idempotency_key="reactivate-key-000001")
    assert again.subscription.status is SubscriptionStatus.ACTIVE
    assert again.subscription.cancellation is None
    actions = [e.action for e in kit.store.list_audit_events(f"subscription:{sub.id}")]
    assert actions == ["subscription.reactivate", "subscription.cancel"]


def test_cancel_validates_reason_and_comment(kit: PortalKit) -> None:
    with pytest.raises(ValidationError) as caught:
        kit.portal.cancel_subscription(kit.buyer.id, kit.subscription.id, reason="bogus",
                                       comment="x" * 1001, idempotency_key=KEY)
    assert set(caught.value.errors) == {"reason", "comment"}
    with pytest.raises(ValidationError):
        kit.portal.cancel_subscription(kit.buyer.id, kit.subscription.id,
                                       comment="bad\x00byte", idempotency_key=KEY)
    assert kit.store.get_subscription(kit.subscription.id) == kit.subscription


def test_reactivate_after_period_end_is_refused(kit: PortalKit) -> None:
    kit.portal.cancel_subscription(kit.buyer.id, kit.subscription.id, idempotency_key=KEY)
    kit.clock.set(kit.subscription.current_period_end)
    with pytest.raises(PlanChangeNotAllowed):
        kit.portal.reactivate_subscription(kit.buyer.id, kit.subscription.id,
                                           idempotency_key=KEY2)


def test_past_due_cannot_change_plan(kit: PortalKit) -> None:
    import attrs

    current = kit.store.get_subscription(kit.subscription.id)
    assert current is not None
    kit.store.save_subscription(attrs.evolve(current, status=SubscriptionStatus.PAST_DUE))
    with pytest.raises(PlanChangeNotAllowed, match="payment"):
        kit.portal.change_plan(kit.buyer.id, kit.subscription.id, kit.plans["pro"].id,
                               idempotency_key=KEY)
    assert kit.gateway.calls == 0


def test_event_sink_failure_does_not_undo_the_change() -> None:
    class Broken:
        def emit(self, event: PortalEvent) -> None:
            raise RuntimeError("sink down")

    kit = make_kit(events=Broken())
    outcome = kit.portal.cancel_subscription(kit.buyer.id, kit.subscription.id,
                                             idempotency_key=KEY)
    assert outcome.subscription.status is SubscriptionStatus.CANCELING


def test_quote_matches_what_is_charged(kit: PortalKit) -> None:
    quote = kit.portal.quote_plan_change(kit.buyer.id, kit.subscription.id, kit.plans["pro"].id)
    outcome = kit.portal.change_plan(kit.buyer.id, kit.subscription.id, kit.plans["pro"].id,
                                     idempotency_key=KEY)
    assert outcome.amount_charged == quote.amount_due
    assert quote.next_billing_at == kit.subscription.current_period_end


def test_events_of_a_charge_carry_its_amount_and_others_none() -> None:
    sink = Sink()
    kit = make_kit(events=sink)
    up = kit.portal.change_plan(kit.buyer.id, kit.subscription.id, kit.plans["pro"].id,
                                idempotency_key=KEY)
    assert up.amount_charged is not None
    [upgrade] = sink.events
    assert upgrade.type == "subscription.upgrade"
    assert (upgrade.data["amount"], upgrade.data["currency"]) == (
        str(up.amount_charged.amount), up.amount_charged.currency)
    kit.portal.change_plan(kit.buyer.id, kit.subscription.id, kit.plans["basic"].id,
                           idempotency_key=KEY2)
    downgrade = sink.events[-1]
    assert downgrade.type == "subscription.downgrade" and "amount" not in downgrade.data
    kit.portal.apply_due(kit.subscription.current_period_end)
    renewed = sink.events[-1]
    assert renewed.type == "subscription.renewed"
    assert (renewed.data["amount"], renewed.data["currency"]) == (
        str(kit.plans["basic"].price.amount), "USD")
