"""The standalone engine's new actions: undo a scheduled downgrade, pay an open order."""

from __future__ import annotations

import attrs
import pytest

from waffo_portal.core.exceptions import PlanChangeNotAllowed
from waffo_portal.core.models import OrderStatus
from waffo_portal.testing import PortalKit, make_kit
from waffo_portal.testing.factories import sample_order


@pytest.fixture
def kit() -> PortalKit:
    kit = make_kit()
    kit.store.save_subscription(attrs.evolve(kit.subscription, plan_id=kit.plans["pro"].id))
    return kit


def test_a_scheduled_downgrade_can_be_undone_once(kit: PortalKit) -> None:
    down = kit.portal.change_plan(kit.buyer.id, "sub_1", kit.plans["basic"].id,
                                  idempotency_key="downgrade-key-00001")
    assert down.status == "scheduled" and down.subscription.scheduled_change is not None
    undone = kit.portal.undo_scheduled_change(kit.buyer.id, "sub_1",
                                              idempotency_key="undo-key-000000001")
    assert undone.status == "applied" and undone.subscription.scheduled_change is None
    replay = kit.portal.undo_scheduled_change(kit.buyer.id, "sub_1",
                                              idempotency_key="undo-key-000000001")
    assert replay.subscription == undone.subscription
    with pytest.raises(PlanChangeNotAllowed) as nothing:
        kit.portal.undo_scheduled_change(kit.buyer.id, "sub_1",
                                         idempotency_key="undo-key-000000002")
    assert nothing.value.key == "change.nothing_scheduled"
    actions = [e.action for e in kit.store.list_audit_events("subscription:sub_1")]
    assert actions[0] == "subscription.undo_change"


def test_an_open_order_is_paid_once(kit: PortalKit) -> None:
    order = attrs.evolve(sample_order(kit.buyer.id, kit.plans["pro"], kit.clock.now(), "ord_open",
                                      "sub_1"), status=OrderStatus.PENDING)
    kit.store.save_order(order)
    paid = kit.portal.pay_order(kit.buyer.id, "ord_open", idempotency_key="pay-key-0000000001")
    assert (paid.status, paid.amount_charged) == ("applied", order.total)
    [charge] = kit.gateway.charges
    assert charge.idempotency_key == "pay_order:ord_open:0"  # a retry charges at most once
    assert kit.store.get_order("ord_open").status is OrderStatus.COMPLETED  # type: ignore[union-attr]
    assert [p.amount for p in kit.store.list_payments("ord_open")] == [order.total]
    with pytest.raises(PlanChangeNotAllowed) as closed:
        kit.portal.pay_order(kit.buyer.id, "ord_open", idempotency_key="pay-key-0000000002")
    assert closed.value.key == "order.not_open"
    assert len(kit.gateway.charges) == 1
    with pytest.raises(Exception, match="not found"):
        kit.portal.pay_order(kit.other_buyer.id, "ord_open", idempotency_key="pay-key-000000003")
