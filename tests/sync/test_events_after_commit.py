"""Events reach the merchant's sink only for changes that committed."""

from __future__ import annotations

import pytest

from waffo_portal.core.models import SubscriptionStatus
from waffo_portal.ports import Store
from waffo_portal.testing import make_kit

from .conftest import Events


def test_a_cancel_rolled_back_by_an_outer_transaction_emits_nothing(
        store: Store, events: Events) -> None:
    kit = make_kit(store, events=events)
    with pytest.raises(RuntimeError), store.atomic():
        kit.portal.cancel_subscription(kit.buyer.id, kit.subscription.id, reason="unused",
                                       idempotency_key="cancel-key-0000001")
        assert events.seen == []  # not before the merchant's transaction commits
        raise RuntimeError("the merchant's own work failed")
    assert events.seen == []
    current = store.get_subscription(kit.subscription.id)
    assert current is not None and current.status is SubscriptionStatus.ACTIVE
    kit.portal.cancel_subscription(kit.buyer.id, kit.subscription.id, reason="unused",
                                   idempotency_key="cancel-key-0000002")
    assert [(e.type, e.data["reason"]) for e in events.seen] == [
        ("subscription.canceling", "unused")]


def test_an_event_inside_a_committed_outer_transaction_arrives_once_it_commits(
        store: Store, events: Events) -> None:
    kit = make_kit(store, events=events)
    with store.atomic():
        kit.portal.change_plan(kit.buyer.id, kit.subscription.id, kit.plans["pro"].id,
                               idempotency_key="upgrade-key-000001")
        assert events.seen == []
    assert [e.type for e in events.seen] == ["subscription.upgrade"]
