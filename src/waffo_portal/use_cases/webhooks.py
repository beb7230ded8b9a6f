"""Webhook intake: a verified delivery becomes sync records, counted once per delivery id.

The source checks the signature over the raw body before anything is read. Then one
transaction notes the delivery in the inbox and writes its records: if either fails
neither lands, and the provider's redelivery is taken in as new. A delivery already in
the inbox (a duplicate, or one another process took in meanwhile) changes nothing.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping

import attrs

from ..core.provider import WebhookDelivery
from ..ports import WebhookSource
from .context import Deps
from .sync import check, write_batch

log = logging.getLogger("waffo_portal.webhooks")


class Intake(enum.StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"  # an event type the source does not map (acknowledged, logged)


@attrs.frozen
class IntakeResult:
    outcome: Intake
    delivery_id: str
    event_type: str
    written: int = 0


def receive(deps: Deps, source: WebhookSource, headers: Mapping[str, str],
            body: bytes) -> IntakeResult:
    """Raises InvalidWebhook (nothing written), ValidationError for records that break
    the sync rules, Conflict when a record depends on one not yet received (the provider
    should deliver again later)."""
    now = deps.clock.now()
    lowered = {name.lower(): value for name, value in headers.items()}
    delivery: WebhookDelivery = source.parse(lowered, body, now)
    check(delivery.records)
    written: dict[str, int] = {}
    with deps.store.atomic():
        if not deps.store.record_delivery(source.name, delivery.delivery_id,
                                          delivery.event_type, now):
            return IntakeResult(Intake.DUPLICATE, delivery.delivery_id, delivery.event_type)
        if delivery.known:
            write_batch(deps.store, delivery.records, written, {},
                        deps.config.invoice_prefix)
    if not delivery.known:
        log.info("webhook %s: event type %r not handled; acknowledged", source.name,
                 delivery.event_type)
        return IntakeResult(Intake.IGNORED, delivery.delivery_id, delivery.event_type)
    return IntakeResult(Intake.ACCEPTED, delivery.delivery_id, delivery.event_type,
                        sum(written.values()))
