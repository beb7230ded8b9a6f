"""A downgrade scheduled before a cancel: set aside while canceling, kept by a reactivation,
and never billed for a subscription that ends."""

from __future__ import annotations

import attrs

from waffo_portal import Money, SubscriptionStatus
from waffo_portal.core import lifecycle
from waffo_portal.core.models import Subscription
from waffo_portal.testing import PortalKit, make_kit

DOWN = "key-downgrade-000000001"
CANCEL = "key-cancel-00000000001"
REACTIVATE = "key-reactivate-0000001"


def _stored(kit: PortalKit) -> Subscription:
    found = kit.store.get_subscription(kit.subscription.id)
    assert found is not None
    return found


def _on_team_with_downgrade_to_basic() -> PortalKit:
    """Team (50.00) with a downgrade to Basic (5.00) scheduled for the period end."""
    kit = make_kit()
    kit.store.save_subscription(attrs.evolve(_stored(kit), plan_id=kit.plans["team"].id))
    outcome = kit.portal.change_plan(kit.buyer.id, kit.subscription.id,
                                     kit.plans["basic"].id, idempotency_key=DOWN)
    assert outcome.kind == "downgrade"
    return kit


def test_cancel_keeps_the_scheduled_change_and_reactivate_restores_it() -> None:
    kit = _on_team_with_downgrade_to_basic()
    canceled = kit.portal.cancel_subscription(kit.buyer.id, kit.subscription.id,
                                              reason="too_expensive", idempotency_key=CANCEL)
    change = canceled.subscription.scheduled_change
    assert canceled.subscription.status is SubscriptionStatus.CANCELING
    assert change is not None and change.plan_id == kit.plans["basic"].id
    assert _stored(kit).scheduled_change == change
    back = kit.portal.reactivate_subscription(kit.buyer.id, kit.subscription.id,
                                              idempotency_key=REACTIVATE)
    assert back.subscription.status is SubscriptionStatus.ACTIVE
    assert back.subscription.plan_id == kit.plans["team"].id
    assert back.subscription.scheduled_change == change
    assert _stored(kit).scheduled_change == change
    events = kit.store.list_audit_events(f"subscription:{kit.subscription.id}")
    audit = {e.action: e for e in events}
    assert audit["subscription.cancel"].new["scheduled_plan_id"] == kit.plans["basic"].id
    assert audit["subscription.reactivate"].new["renews_plan_id"] == kit.plans["basic"].id


def test_the_renewal_after_reactivation_charges_the_scheduled_plans_price() -> None:
    kit = _on_team_with_downgrade_to_basic()
    kit.portal.cancel_subscription(kit.buyer.id, kit.subscription.id, idempotency_key=CANCEL)
    kit.portal.reactivate_subscription(kit.buyer.id, kit.subscription.id,
                                       idempotency_key=REACTIVATE)
    report = kit.portal.apply_due(kit.subscription.current_period_end)
    assert report.counts == {"renewed": 1}
    assert [c.amount for c in kit.gateway.charges] == [Money(500, "USD")]  # Basic, not Team
    renewed = _stored(kit)
    assert renewed.plan_id == kit.plans["basic"].id and renewed.scheduled_change is None


def test_a_canceled_subscription_ends_at_the_period_end_despite_the_change() -> None:
    kit = _on_team_with_downgrade_to_basic()
    kit.portal.cancel_subscription(kit.buyer.id, kit.subscription.id, idempotency_key=CANCEL)
    assert kit.portal.apply_due(kit.subscription.current_period_end).counts == {"canceled": 1}
    ended = _stored(kit)
    assert ended.status is SubscriptionStatus.CANCELED
    assert ended.plan_id == kit.plans["team"].id and ended.scheduled_change is None
    assert kit.gateway.calls == 0


def test_the_transitions_keep_the_change_until_the_end() -> None:
    kit = _on_team_with_downgrade_to_basic()
    scheduled = _stored(kit)
    now = kit.clock.now()
    canceling = lifecycle.cancel_at_period_end(scheduled, None, "", now)
    assert canceling.scheduled_change == scheduled.scheduled_change
    assert lifecycle.next_bill(canceling, kit.plans["team"], kit.plans["basic"]) == (None, None)
    assert lifecycle.reactivate(canceling, now).scheduled_change == scheduled.scheduled_change
    assert lifecycle.ended(canceling).scheduled_change is None
