"""On the Django store, events wait for the merchant's own ``transaction.atomic()``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from waffo_portal.core.models import PortalEvent, SubscriptionStatus
from waffo_portal.integrations.django.store import DjangoStore
from waffo_portal.testing import make_kit

from ..django_settings import clear_tables


class Events:
    def __init__(self) -> None:
        self.seen: list[PortalEvent] = []

    def emit(self, event: PortalEvent) -> None:
        self.seen.append(event)


@pytest.fixture
def store() -> Iterator[DjangoStore]:
    clear_tables("default")
    yield DjangoStore()
    clear_tables("default")


def test_a_cancel_rolled_back_by_the_merchants_atomic_emits_nothing(store: DjangoStore) -> None:
    events = Events()
    kit = make_kit(store, events=events)
    with pytest.raises(RuntimeError), transaction.atomic():
        kit.portal.cancel_subscription(kit.buyer.id, kit.subscription.id,
                                       idempotency_key="cancel-key-0000001")
        raise RuntimeError("the merchant's own work failed")
    assert events.seen == []
    current = store.get_subscription(kit.subscription.id)
    assert current is not None and current.status is SubscriptionStatus.ACTIVE
    with transaction.atomic():
        kit.portal.cancel_subscription(kit.buyer.id, kit.subscription.id,
                                       idempotency_key="cancel-key-0000002")
        assert events.seen == []
    assert [e.type for e in events.seen] == ["subscription.canceling"]
