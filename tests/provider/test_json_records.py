"""Every kind of sync record survives the signed JSON format unchanged."""

from __future__ import annotations

import json
from datetime import timedelta

import attrs
import pytest

from waffo_portal.core.exceptions import InvalidWebhook
from waffo_portal.core.models import (
    Cancellation,
    CancellationReason,
    PaymentMethod,
    ScheduledChange,
    SubscriptionStatus,
)
from waffo_portal.core.sync import SubscriptionRecord
from waffo_portal.providers.json_records import decode_record, encode_record

from ..sync.records import SEPT, history, subscription_record


def _roundtrip(record: object) -> object:
    return decode_record(json.loads(json.dumps(encode_record(record))))  # type: ignore[arg-type]


def test_every_record_of_a_history_roundtrips() -> None:
    for record in history():
        assert _roundtrip(record) == record


def test_a_subscription_with_every_optional_part_roundtrips() -> None:
    base = subscription_record().subscription
    full = SubscriptionRecord(attrs.evolve(
        base, status=SubscriptionStatus.CANCELING, trial_end=SEPT + timedelta(days=3),
        scheduled_change=ScheduledChange("starter", base.current_period_end, SEPT),
        cancellation=Cancellation(CancellationReason.UNUSED, "bye", SEPT,
                                  base.current_period_end),
        payment_method=PaymentMethod("visa", "4242")), 3)
    assert _roundtrip(full) == full


@pytest.mark.parametrize("raw", [
    [], {"record": "nope"}, {"record": "buyer", "revision": 1},
    {"record": "buyer", "revision": "1", "buyer": {"id": "b", "email": "a@b.co"}},
    {"record": "buyer", "revision": True, "buyer": {"id": "b", "email": "a@b.co"}},
    {"record": "plan", "revision": 1, "plan": {
        "id": "p", "name": "P", "product_group": "g", "price": {"amount": 1.5},
        "period": "monthly"}},
    {"record": "plan", "revision": 1, "plan": {
        "id": "p", "name": "P", "product_group": "g", "price": {"amount": 1, "currency": "EUR"},
        "period": "fortnightly"}},
    {"record": "subscription", "revision": 1, "subscription": {
        **json.loads(json.dumps(encode_record(subscription_record())))["subscription"],
        "created_at": "2025-09-14T08:30:00"}},  # no offset: refused, never guessed
])
def test_a_wrong_shape_is_refused(raw: object) -> None:
    with pytest.raises(InvalidWebhook) as refused:
        decode_record(raw)
    assert refused.value.key == "webhook.payload_invalid"
