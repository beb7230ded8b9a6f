"""Value types of the billing-provider port: what the portal asks, what the provider answers.

The portal never decides money or state on a provider's behalf: it asks, and the answer
says whether the change is *applied* now, *scheduled* for later, or must be *confirmed*
by the buyer on the provider's own page (a redirect; the result comes back by webhook).
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from .models import Plan, Subscription
from .money import Money
from .sync import SyncRecord


class ActionStatus(enum.StrEnum):
    """How a provider answered an action (``ProviderOutcome.status``)."""

    APPLIED = "applied"  # in effect now
    SCHEDULED = "scheduled"  # takes effect at ``effective_at`` (e.g. the period end)
    CONFIRM = "confirm"  # the buyer confirms at ``redirect_url``; a webhook brings the result


@attrs.frozen
class ProviderAction:
    """One buyer's request about one subscription, with everything a provider needs."""

    buyer_id: str
    subscription: Subscription
    plan: Plan
    idempotency_key: str
    return_url: str = ""  # where the provider sends the buyer back after a confirmation
    new_plan: Plan | None = None  # change_plan
    reason: str | None = None  # cancel: a CancellationReason value
    comment: str = ""  # cancel


@attrs.frozen
class ProviderOutcome:
    """What the provider did. ``records`` is the provider's new state, written through
    the sync API (so a later webhook with the same revisions changes nothing).
    ``stored`` is set by a provider that already wrote the portal's store itself
    (the standalone provider)."""

    status: ActionStatus
    effective_at: datetime | None = None
    """When the change takes (or took) effect, UTC; None: now."""
    amount_charged: Money | None = None
    """What was charged now, in minor units (an upgrade's proration); None: nothing."""
    redirect_url: str = ""
    """Set for ``CONFIRM`` only: the provider's page the buyer is sent to."""
    records: tuple[SyncRecord, ...] = ()
    order_id: str | None = None
    stored: Subscription | None = None

    def __attrs_post_init__(self) -> None:
        if (self.status is ActionStatus.CONFIRM) != bool(self.redirect_url):
            raise ValueError("a CONFIRM outcome, and only one, carries a redirect_url")


@attrs.frozen
class WebhookDelivery:
    """One verified webhook delivery. ``records`` empty and ``known`` False: an event
    type the provider adapter does not handle (acknowledged and logged)."""

    delivery_id: str
    event_type: str
    records: tuple[SyncRecord, ...] = ()
    known: bool = True
