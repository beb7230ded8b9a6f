"""A gateway call that outlives the change lease: another request may then take the lease
and save its change; the late one must lose its save and have its charge voided, so the
buyer is charged once and one proration order exists (security issue item 7)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from waffo_portal.core.exceptions import ChangeSuperseded
from waffo_portal.testing import PortalKit
from waffo_portal.use_cases.subscriptions import LEASE_TIME

SLOW_KEY = "slow-key-00000000000001"
FAST_KEY = "fast-key-00000000000002"


def _slow_first_charge(kit: PortalKit, target: str) -> list[object]:
    """On the first charge only: time passes beyond the lease and a second request, with
    another key, changes the plan completely before the first charge returns."""
    done: list[object] = []

    def meanwhile() -> None:
        if done:
            return
        done.append("started")
        kit.clock.advance(LEASE_TIME + timedelta(seconds=30))
        done.append(kit.portal.change_plan(kit.buyer.id, kit.subscription.id, target,
                                           idempotency_key=FAST_KEY))

    kit.gateway.before_charge = meanwhile
    return done


def test_the_late_change_loses_and_its_charge_is_voided(kit: PortalKit) -> None:
    pro = kit.plans["pro"].id
    done = _slow_first_charge(kit, pro)
    with pytest.raises(ChangeSuperseded) as caught:
        kit.portal.change_plan(kit.buyer.id, kit.subscription.id, pro,
                               idempotency_key=SLOW_KEY)
    assert caught.value.key == "subscription.change_superseded"
    assert len(done) == 2  # the second request really ran in between
    assert len(kit.gateway.charges) == 2
    slow = next(c for c in kit.gateway.charges if SLOW_KEY in c.idempotency_key)
    assert kit.gateway.refunds == {slow.reference: slow.amount}  # net: charged once
    orders = kit.store.list_orders(kit.buyer.id, 10)
    assert len(orders) == 1
    stored = kit.store.get_subscription(kit.subscription.id)
    assert stored is not None and stored.plan_id == pro
    actions = [e.action for e in kit.store.list_audit_events()]
    assert actions.count("subscription.upgrade") == 1
    assert "subscription.charge_voided" in actions


def test_a_retry_of_the_superseded_key_stays_refused_and_charges_nothing(
        kit: PortalKit) -> None:
    pro = kit.plans["pro"].id
    _slow_first_charge(kit, pro)
    with pytest.raises(ChangeSuperseded):
        kit.portal.change_plan(kit.buyer.id, kit.subscription.id, pro,
                               idempotency_key=SLOW_KEY)
    calls = kit.gateway.calls
    with pytest.raises(ChangeSuperseded):
        kit.portal.change_plan(kit.buyer.id, kit.subscription.id, pro,
                               idempotency_key=SLOW_KEY)
    assert kit.gateway.calls == calls
    assert len(kit.store.list_orders(kit.buyer.id, 10)) == 1
