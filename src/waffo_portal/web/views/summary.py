"""What the pages say about one subscription: its plan, next bill, and what it owes.

A past-due subscription has no "next bill": the renewal that failed is what the buyer
owes, so its summary carries a :class:`Recovery` (the unpaid order, when and how much)
instead, and the pages offer to pay it.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import attrs

from ...core import lifecycle
from ...core.models import Order, Plan, Subscription, SubscriptionStatus
from ...core.money import Money
from ..page import Page


@attrs.frozen
class Recovery:
    """A past-due subscription's debt. ``order`` is None when the portal holds no open
    order for it (the amount is then the renewal's price): only the card can be updated."""

    order: Order | None
    amount: Money | None
    failed_at: datetime
    # Standalone, an unpaid subscription ends at its period end (apply_due); a provider of
    # record runs its own retries and decides, so the portal names no date (None).
    access_until: datetime | None


@attrs.frozen
class Summary:
    """What a buyer needs to know about one subscription, next bill included."""

    subscription: Subscription
    plan: Plan | None
    next_plan: Plan | None  # a scheduled downgrade, if any
    next_billing_at: datetime | None
    next_amount: Money | None  # None: no further bill (canceling, ended or past due)
    pending_plan: Plan | None = None  # a change awaiting confirmation at the provider
    recovery: Recovery | None = None  # past due: what is owed


def summarize(page: Page, subscription: Subscription) -> Summary:
    return _summary(page, subscription, page.portal.find_plan(subscription.plan_id))


def summaries(page: Page) -> list[Summary]:
    """The buyer's subscriptions, newest first, their plans read with them."""
    return [_summary(page, subscription, plan) for subscription, plan
            in page.portal.list_subscriptions_with_plans(page.buyer_id)]


def _summary(page: Page, subscription: Subscription, plan: Plan | None) -> Summary:
    change = subscription.scheduled_change
    next_plan = page.portal.find_plan(change.plan_id) if change else None
    billed_at, amount = lifecycle.next_bill(subscription, plan, next_plan)
    pending = subscription.pending_change
    pending_plan = (page.portal.find_plan(pending.plan_id)
                    if pending is not None and pending.open_at(page.portal.now()) else None)
    recovery = _recovery(page, subscription, plan)
    if recovery is not None:  # "next bill on ..." would hide the bill that is unpaid
        billed_at, amount = None, None
    return Summary(subscription, plan, next_plan, billed_at, amount, pending_plan, recovery)


def _recovery(page: Page, subscription: Subscription, plan: Plan | None) -> Recovery | None:
    if subscription.status is not SubscriptionStatus.PAST_DUE:
        return None
    ends = None if page.portal.provider_mode else subscription.current_period_end
    order = page.portal.open_renewal(page.buyer_id, subscription.id)
    if order is None:  # the renewal was declined at the start of this period
        return Recovery(None, plan.price if plan else None, subscription.current_period_start,
                        ends)
    payments = page.portal.list_payments(page.buyer_id, order.id)
    return Recovery(order, order.total, lifecycle.failed_at(order, payments), ends)


def new_key() -> str:
    return secrets.token_urlsafe(24)
