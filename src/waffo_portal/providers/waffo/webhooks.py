"""Waffo's webhooks as a ``WebhookSource``: verify, check the store and mode, re-read.

    POST <portal>/webhooks/waffo
    X-Waffo-Signature: t=<unix ms>,v1=<base64 RSA-SHA256 over t + "." + raw body>

    {"id": "<delivery uuid>", "timestamp": "...", "eventType": "subscription.canceling",
     "eventId": "...", "storeId": "STO_...", "mode": "test", "data": {"orderId": ...}}

Every one of Waffo's 14 event types leads to a GraphQL read of the order it names, and
the order as Waffo holds it *now* is synced (``reads``). Waffo states no delivery
order and retries for over half an hour, so the event's own fields are used only where
the read cannot say it: the target plan of ``plan_change_scheduled``. Other event types
are acknowledged and logged. Duplicates are caught by the portal's inbox (the delivery
``id``) and, for fan-out copies with a new id, by the revision rules.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from ...core.exceptions import InvalidWebhook, ValidationError
from ...core.models import ScheduledChange
from ...core.provider import WebhookDelivery
from ...core.sync import SyncRecord
from .reads import WaffoReader
from .shapes import moment
from .signing import WEBHOOK_HEADER, verify_webhook

log = logging.getLogger("waffo_portal.providers.waffo")

SUBSCRIPTION_EVENTS: Final = frozenset({
    "subscription.activated", "subscription.payment_succeeded", "subscription.renewed",
    "subscription.recovered", "subscription.plan_changed",
    "subscription.plan_change_scheduled", "subscription.plan_change_failed",
    "subscription.canceling", "subscription.uncanceled", "subscription.canceled",
    "subscription.past_due",
})
# The answers to a change the buyer was sent to confirm on Waffo's page.
PLAN_CHANGE_OUTCOMES: Final = frozenset({
    "subscription.plan_changed", "subscription.plan_change_scheduled",
    "subscription.plan_change_failed"})
REFUND_EVENTS: Final = frozenset({"refund.succeeded", "refund.failed"})
EVENT_TYPES: Final = frozenset({"order.completed", *SUBSCRIPTION_EVENTS, *REFUND_EVENTS})
# Order states only a subscription order has (a one-time order is pending/completed/canceled).
_SUBSCRIPTION_ONLY: Final = frozenset({"active", "past_due", "canceling", "closed", "expired"})
_MAX_ID: Final = 255


def _envelope(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except ValueError:
        raise InvalidWebhook(key="webhook.payload_invalid") from None
    if not isinstance(payload, dict):
        raise InvalidWebhook(key="webhook.payload_invalid")
    delivery, event_type = payload.get("id"), payload.get("eventType")
    if (not isinstance(delivery, str) or not 0 < len(delivery) <= _MAX_ID
            or not isinstance(event_type, str) or not event_type
            or not isinstance(payload.get("data"), dict)):
        raise InvalidWebhook(key="webhook.payload_invalid")
    return payload


class WaffoWebhooks:
    """``reader`` reads orders back; ``name`` is the path segment (``/webhooks/waffo``)."""

    def __init__(self, reader: WaffoReader, *, name: str = "waffo") -> None:
        self.name = name
        self.reader = reader
        self.settings = reader.settings

    def parse(self, headers: Mapping[str, str], body: bytes,
              now: datetime) -> WebhookDelivery:
        environment = self.settings.environment
        verify_webhook(headers.get(WEBHOOK_HEADER, ""), body,
                       [self.settings.webhook_keys[environment]], now)
        payload = _envelope(body)
        if payload.get("mode") != environment or payload.get("storeId") != self.settings.store_id:
            # Another store's or environment's webhook pointed at this portal: refused, so
            # that Waffo's dashboard shows the failing delivery.
            raise InvalidWebhook(key="webhook.payload_invalid", reason="store or mode",
                                 mode=str(payload.get("mode")))
        event_type: str = payload["eventType"][:128]
        delivery = payload["id"]
        if event_type not in EVENT_TYPES:
            log.info("Waffo event type %r is not handled; acknowledged", event_type)
            return WebhookDelivery(delivery, event_type, known=False)
        data: dict[str, Any] = payload["data"]
        order_id = data.get("orderId")
        if not isinstance(order_id, str) or not 0 < len(order_id) <= 64:
            raise InvalidWebhook(key="webhook.payload_invalid", field="data.orderId")
        return WebhookDelivery(delivery, event_type, tuple(self._records(
            event_type, order_id, data, payload, now)))

    def _records(self, event_type: str, order_id: str, data: Mapping[str, Any],
                 payload: Mapping[str, Any], now: datetime) -> list[SyncRecord]:
        if event_type == "order.completed" or (
                event_type in REFUND_EVENTS and not _of_subscription(data)):
            return self.reader.onetime(order_id, now)
        scheduled = None
        if event_type == "subscription.plan_change_scheduled":
            scheduled = self._scheduled(data, payload, now)
        return self.reader.subscription(order_id, now, scheduled=scheduled,
                                        resolves_pending=event_type in PLAN_CHANGE_OUTCOMES)

    def _scheduled(self, data: Mapping[str, Any], payload: Mapping[str, Any],
                   now: datetime) -> ScheduledChange | None:
        """The confirmed change waiting for the period end: the event names the target
        plan (by product name, the only product field events carry)."""
        plan_id = self.reader.plan_id_named(str(data.get("productName") or ""), now)
        if plan_id is None:
            log.warning("Waffo scheduled a change to unknown product %r",
                        data.get("productName"))
            return None
        try:
            effective = moment(data.get("currentPeriodEnd"), "data.currentPeriodEnd")
            asked = moment(payload.get("timestamp"), "timestamp")
        except ValidationError:
            raise InvalidWebhook(key="webhook.payload_invalid",
                                 field="data.currentPeriodEnd") from None
        return ScheduledChange(plan_id=plan_id, effective_at=effective, requested_at=asked)


def _of_subscription(data: Mapping[str, Any]) -> bool:
    """Refund events name an order of either kind; only a subscription's carry a period
    number or a subscription-only state."""
    return "periodNumber" in data or data.get("orderStatus") in _SUBSCRIPTION_ONLY
