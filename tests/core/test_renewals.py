from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from waffo_portal import GatewayMode, Money, SubscriptionStatus
from waffo_portal.core.exceptions import PaymentDeclined, PlanChangeNotAllowed
from waffo_portal.core.models import OrderStatus, PaymentStatus
from waffo_portal.testing import PortalKit, make_kit
from waffo_portal.testing.factories import test_config

KEY = "key-0000000000000001"


def _sub(kit: PortalKit):  # type: ignore[no-untyped-def]
    found = kit.store.get_subscription(kit.subscription.id)
    assert found is not None
    return found


def test_nothing_is_due_before_the_period_end(kit: PortalKit) -> None:
    report = kit.portal.apply_due(kit.subscription.current_period_end - timedelta(seconds=1))
    assert report.total == 0
    assert kit.gateway.calls == 0


def test_renewal_charges_and_starts_the_next_period(kit: PortalKit) -> None:
    end = kit.subscription.current_period_end
    report = kit.portal.apply_due(end)
    assert report.counts == {"renewed": 1}
    sub = _sub(kit)
    assert sub.current_period_start == end
    assert sub.current_period_end == end.replace(month=3)
    assert [c.amount for c in kit.gateway.charges] == [Money(500, "USD")]
    orders = kit.store.list_orders(kit.buyer.id, 10)
    assert [o.total for o in orders] == [Money(500, "USD")]
    assert kit.portal.apply_due(end).total == 0  # nothing twice


def test_scheduled_downgrade_applies_at_period_end(kit: PortalKit) -> None:
    kit.portal.change_plan(kit.buyer.id, kit.subscription.id, kit.plans["team"].id,
                           idempotency_key=KEY)
    kit.portal.change_plan(kit.buyer.id, kit.subscription.id, kit.plans["basic"].id,
                           idempotency_key="key-0000000000000002")
    assert _sub(kit).plan_id == kit.plans["team"].id
    kit.portal.apply_due(kit.subscription.current_period_end)
    sub = _sub(kit)
    assert sub.plan_id == kit.plans["basic"].id and sub.scheduled_change is None
    assert kit.gateway.charges[-1].amount == Money(500, "USD")


def test_cancellation_ends_the_subscription_without_charging(kit: PortalKit) -> None:
    kit.portal.cancel_subscription(kit.buyer.id, kit.subscription.id, idempotency_key=KEY)
    assert kit.portal.apply_due(kit.subscription.current_period_end).counts == {"canceled": 1}
    sub = _sub(kit)
    assert sub.status is SubscriptionStatus.CANCELED and not sub.status.has_access
    assert kit.gateway.calls == 0


def test_declined_renewal_is_past_due_then_expires(kit: PortalKit) -> None:
    kit.gateway.mode = GatewayMode.DECLINE
    end = kit.subscription.current_period_end
    assert kit.portal.apply_due(end).counts == {"past_due": 1}
    sub = _sub(kit)
    assert sub.status is SubscriptionStatus.PAST_DUE
    # The declined renewal is an open order the buyer can pay, with its failed attempt.
    [owed] = kit.store.list_orders(kit.buyer.id, 10)
    assert (owed.status, owed.total, owed.subscription_id) == (
        OrderStatus.PENDING, Money(500, "USD"), sub.id)
    assert kit.store.get_invoice(owed.id) is None  # numbered only once paid
    [attempt] = kit.store.list_payments(owed.id)
    assert (attempt.status, attempt.failure_reason) == (PaymentStatus.FAILED, "card_declined")
    assert kit.portal.apply_due(sub.current_period_end).counts == {"expired": 1}
    assert _sub(kit).status is SubscriptionStatus.EXPIRED
    # Access ended unpaid: the order is void, no longer payable.
    assert kit.store.get_order(owed.id).status is OrderStatus.CANCELED  # type: ignore[union-attr]


def test_a_declined_renewal_is_paid_later_with_a_new_card(kit: PortalKit) -> None:
    kit.gateway.mode = GatewayMode.DECLINE
    kit.portal.apply_due(kit.subscription.current_period_end)
    [owed] = kit.store.list_orders(kit.buyer.id, 10)
    with pytest.raises(PaymentDeclined):  # still the old card
        kit.portal.pay_order(kit.buyer.id, owed.id, idempotency_key=KEY)
    kit.gateway.mode = GatewayMode.SUCCEED  # the buyer updated the card
    paid = kit.portal.pay_order(kit.buyer.id, owed.id, idempotency_key="key-0000000000000002")
    assert paid.amount_charged == Money(500, "USD")
    assert [c.idempotency_key for c in kit.gateway.charges] == [f"pay_order:{owed.id}:2"]
    assert kit.store.get_order(owed.id).status is OrderStatus.COMPLETED  # type: ignore[union-attr]
    assert kit.store.get_invoice(owed.id) is not None
    assert _sub(kit).status is SubscriptionStatus.ACTIVE  # owes nothing: no longer past due
    statuses = [p.status for p in kit.store.list_payments(owed.id)]
    assert statuses.count(PaymentStatus.FAILED) == 2 and PaymentStatus.SUCCEEDED in statuses


def test_timed_out_renewal_is_retried_with_the_same_key(kit: PortalKit) -> None:
    kit.gateway.mode = GatewayMode.TIMEOUT_AFTER_CHARGE
    end = kit.subscription.current_period_end
    assert kit.portal.apply_due(end).counts == {"payment_error": 1}
    assert _sub(kit) == kit.subscription  # unchanged
    kit.gateway.mode = GatewayMode.SUCCEED
    assert kit.portal.apply_due(end).counts == {"renewed": 1}
    assert len(kit.gateway.charges) == 1


def test_missed_periods_catch_up_one_at_a_time(kit: PortalKit) -> None:
    end = kit.subscription.current_period_end
    report = kit.portal.apply_due(end + timedelta(days=70))
    assert report.counts == {"renewed": 3}
    assert _sub(kit).current_period_end > end + timedelta(days=70)
    assert len({c.idempotency_key for c in kit.gateway.charges}) == 3


def test_trial_end_converts_to_a_paid_period(kit: PortalKit) -> None:
    trial = attrs.evolve(_sub(kit), status=SubscriptionStatus.TRIALING,
                         trial_end=kit.subscription.current_period_end)
    kit.store.save_subscription(trial)
    kit.portal.apply_due(kit.subscription.current_period_end)
    assert _sub(kit).status is SubscriptionStatus.ACTIVE
    assert len(kit.gateway.charges) == 1


def test_provider_renewal_mode_rolls_periods_without_charging() -> None:
    kit = make_kit(config=test_config(charge_renewals=False))
    assert kit.portal.apply_due(kit.subscription.current_period_end).counts == {"renewed": 1}
    assert kit.gateway.calls == 0
    assert kit.store.list_orders(kit.buyer.id, 10) == []


def test_every_transition_is_audited(kit: PortalKit) -> None:
    kit.portal.apply_due(kit.subscription.current_period_end)
    events = kit.store.list_audit_events(f"subscription:{kit.subscription.id}")
    assert [(e.actor, e.action) for e in events] == [("system", "subscription.renewed")]
    assert events[0].new["status"] == "active"


def test_a_broken_record_is_counted_and_does_not_stop_the_run(kit: PortalKit) -> None:
    from waffo_portal.testing.factories import sample_subscription

    orphan = attrs.evolve(sample_subscription(kit.buyer.id, kit.plans["basic"],
                                              subscription_id="sub_orphan"),
                          plan_id="deleted-plan")
    kit.store.save_subscription(orphan)
    seen: list[dict[str, int]] = []
    report = kit.portal.apply_due(kit.subscription.current_period_end,
                                  on_progress=lambda counts: seen.append(dict(counts)))
    assert report.counts == {"renewed": 1, "error": 1}
    assert seen[-1] == {"renewed": 1, "error": 1}
    assert _sub(kit).current_period_start == kit.subscription.current_period_end


def test_the_open_renewal_is_found_behind_many_newer_orders(kit: PortalKit) -> None:
    kit.gateway.mode = GatewayMode.DECLINE
    kit.portal.apply_due(kit.subscription.current_period_end)
    [owed] = kit.store.list_orders(kit.buyer.id, 10)
    for n in range(60):  # one-time purchases after the declined renewal
        kit.store.save_order(attrs.evolve(owed, id=f"ord_later_{n:02d}",
                                          status=OrderStatus.COMPLETED, subscription_id=None,
                                          created_at=owed.created_at + timedelta(hours=n + 1)))
    assert kit.portal.open_renewal(kit.buyer.id, kit.subscription.id) == owed
    kit.gateway.mode = GatewayMode.SUCCEED
    kit.portal.pay_order(kit.buyer.id, owed.id, idempotency_key=KEY)
    assert _sub(kit).status is SubscriptionStatus.ACTIVE
    assert kit.portal.open_renewal(kit.buyer.id, kit.subscription.id) is None


def test_expiry_during_a_payment_voids_the_order_and_gives_the_money_back(
        kit: PortalKit) -> None:
    kit.gateway.mode = GatewayMode.DECLINE
    kit.portal.apply_due(kit.subscription.current_period_end)
    [owed] = kit.store.list_orders(kit.buyer.id, 10)
    kit.gateway.mode = GatewayMode.SUCCEED
    # The renewal job ends the unpaid subscription while the buyer's charge is under way.
    kit.gateway.before_charge = lambda: kit.portal.apply_due(_sub(kit).current_period_end)
    with pytest.raises(PlanChangeNotAllowed) as refused:
        kit.portal.pay_order(kit.buyer.id, owed.id, idempotency_key=KEY)
    assert refused.value.key == "order.not_open"
    [charge] = kit.gateway.charges
    assert kit.gateway.refunds == {charge.reference: charge.amount}
    assert kit.store.get_order(owed.id).status is OrderStatus.CANCELED  # type: ignore[union-attr]
    assert _sub(kit).status is SubscriptionStatus.EXPIRED
    actions = [e.action for e in kit.store.list_audit_events(f"order:{owed.id}")]
    assert "order.charge_voided" in actions and "order.paid" not in actions
