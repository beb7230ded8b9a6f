"""``apply_due``: what happens at period ends (for cron; safe from many hosts at once).

Each due subscription is leased (SKIP LOCKED in SQL), transitioned once and
released. Renewal charges use a key derived from the subscription and the
period, so a crashed or timed-out run that is retried charges at most once.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

import attrs

from ..core import lifecycle
from ..core.charges import ChargeResult
from ..core.exceptions import (
    NotFound,
    PaymentDeclined,
    PaymentFailed,
    PortalError,
    ValidationError,
)
from ..core.models import (
    LineItem,
    LineKind,
    OrderStatus,
    Plan,
    Subscription,
    SubscriptionStatus,
)
from .context import Deps, charged, log
from .orders import find_open_renewal, record_declined_order, record_paid_order

BATCH_SIZE = 100
LEASE_TIME = timedelta(minutes=5)


@attrs.frozen
class DueReport:
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def apply_due(deps: Deps, now: datetime | None = None, *, max_batches: int = 1000,
              on_progress: Callable[[Mapping[str, int]], None] | None = None) -> DueReport:
    """Apply every transition that is due at ``now``; returns counts per outcome.

    ``on_progress`` is called with the running counts after each batch (for the CLI).
    """
    moment = now or deps.clock.now()
    holder = f"apply_due:{secrets.token_hex(8)}"
    counts: Counter[str] = Counter()
    failed: set[str] = set()  # not retried in this run, so the loop always ends
    for _ in range(max_batches):
        batch = deps.store.lease_due_subscriptions(moment, BATCH_SIZE, holder,
                                                   moment + LEASE_TIME)
        fresh = [s for s in batch if s.id not in failed]
        for subscription in batch:
            if subscription.id in failed:
                deps.store.release_subscription(subscription.id, holder)
                continue
            outcome = _transition_safely(deps, subscription, moment)
            if outcome in ("payment_error", "error"):
                failed.add(subscription.id)
            counts[outcome] += 1
            deps.store.release_subscription(subscription.id, holder)
        if on_progress is not None and fresh:
            on_progress(dict(counts))
        if not fresh or counts["payment_error"]:
            break  # nothing new to do, or the provider is down: do not spin on it
    return DueReport(dict(counts))


def _transition_safely(deps: Deps, subscription: Subscription, now: datetime) -> str:
    try:
        return _transition(deps, subscription, now)
    except PaymentFailed:
        return "payment_error"  # timeout: retried next run with the same key
    except PortalError:
        # One broken record (unknown plan, concurrent edit) must not stop the run.
        log.exception("apply_due could not transition %s", subscription.id)
        return "error"


def _transition(deps: Deps, subscription: Subscription, now: datetime) -> str:
    status = subscription.status
    if status in (SubscriptionStatus.CANCELING, SubscriptionStatus.PAST_DUE):
        return _end(deps, subscription)
    plan = deps.store.get_plan(lifecycle.plan_for_next_period(subscription))
    if plan is None:
        raise NotFound("plan", lifecycle.plan_for_next_period(subscription))
    if not deps.config.charge_renewals:
        return _renew(deps, subscription, plan, paid=True, charge=None)
    if plan.price.amount < 0:  # refused on save; a store written around the portal
        raise ValidationError({"price": "plan.price_negative"})
    if plan.price.amount == 0:  # a free period: an order for the record, no charge
        return _renew(deps, subscription, plan, paid=True, charge=None, free=True)
    key = f"renewal:{subscription.id}:{subscription.current_period_end.isoformat()}"
    try:
        charge = deps.gateway.charge(
            buyer_id=subscription.buyer_id, subscription_id=subscription.id, amount=plan.price,
            idempotency_key=key, description=f"{plan.name} renewal",
        )
    except PaymentDeclined as declined:
        log.info("renewal declined for %s: %s", subscription.id, declined.reason)
        return _renew(deps, subscription, plan, paid=False, charge=None,
                      declined_reason=declined.reason)
    return _renew(deps, subscription, plan, paid=True, charge=charge, key=key)


def _renew(deps: Deps, subscription: Subscription, plan: Plan, *, paid: bool,
           charge: ChargeResult | None, key: str | None = None, free: bool = False,
           declined_reason: str = "") -> str:
    outcome = "renewed" if paid else "past_due"
    with deps.store.atomic():
        saved = deps.store.save_subscription(lifecycle.renewed(subscription, plan, paid=paid))
        line = LineItem(description="", quantity=1, unit_price=plan.price, amount=plan.price,
                        plan_id=plan.id, period_start=saved.current_period_start,
                        period_end=saved.current_period_end, kind=LineKind.RENEWAL,
                        plan_name=plan.name)
        if charge is not None or free:
            record_paid_order(deps, saved, [line], charge, saved.current_period_start,
                              amount=plan.price)
        elif not paid:  # the open order the buyer pays from the portal ("Pay now")
            record_declined_order(deps, saved, [line], plan.price, saved.current_period_start,
                                  declined_reason)
        deps.audit(actor="system", action=f"subscription.{outcome}",
                   subject=f"subscription:{subscription.id}",
                   old={"plan_id": subscription.plan_id, "status": subscription.status.value},
                   new={"plan_id": saved.plan_id, "status": saved.status.value,
                        "period_end": saved.current_period_end.isoformat()},
                   amount=plan.price if paid and charge is not None else None,
                   idempotency_key=key)
    deps.emit(f"subscription.{outcome}", subscription.buyer_id, subscription.id,
              plan_id=plan.id, **charged(charge.amount if charge else None))
    return outcome


def _end(deps: Deps, subscription: Subscription) -> str:
    with deps.store.atomic():
        saved = deps.store.save_subscription(lifecycle.ended(subscription))
        # The renewal a past-due subscription never paid: void, not payable after access ended.
        unpaid = find_open_renewal(deps, subscription)
        if unpaid is not None:
            deps.store.save_order(attrs.evolve(unpaid, status=OrderStatus.CANCELED))
        deps.audit(actor="system", action=f"subscription.{saved.status.value}",
                   subject=f"subscription:{subscription.id}",
                   old={"status": subscription.status.value}, new={"status": saved.status.value})
    deps.emit(f"subscription.{saved.status.value}", subscription.buyer_id, subscription.id)
    return saved.status.value
