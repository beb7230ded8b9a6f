"""Buyer-facing subscription use cases: quote, change plan, cancel, reactivate.

Every query is scoped to the buyer: another buyer's subscription is NotFound,
and nothing (least of all a payment) happens for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import NoReturn

import attrs

from ..core import lifecycle
from ..core.charges import ChargeResult
from ..core.exceptions import (
    ChangeSuperseded,
    Conflict,
    NotFound,
    PaymentFailed,
    PlanChangeNotAllowed,
    ValidationError,
)
from ..core.models import LineItem, LineKind, Plan, Subscription
from ..core.money import Money
from ..core.proration import ChangeKind, PlanChangeQuote, quote_plan_change
from .context import Deps, charged
from .orders import give_back, record_paid_order

LEASE_TIME = timedelta(minutes=2)
MIN_KEY_LENGTH, MAX_KEY_LENGTH = 16, 128
_KEY_CHARS = re.compile(r"[A-Za-z0-9_-]*")
IDEMPOTENCY_KEY_RULE = (f"must be {MIN_KEY_LENGTH} to {MAX_KEY_LENGTH} characters of "
                        "A-Z, a-z, 0-9, _ and -")


@attrs.frozen
class ChangeOutcome:
    """What a confirmed plan change, cancel or reactivation did."""

    subscription: Subscription
    kind: str  # a ChangeKind value, "cancel", "reactivate" or "undo_change"
    amount_charged: Money | None
    effective_at: datetime
    order_id: str | None = None
    # An ActionStatus value: "applied", "scheduled", or "confirm" (the buyer confirms at
    # ``redirect_url``, the provider's page; the result arrives later by webhook).
    status: str = ""
    redirect_url: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.status:  # the standalone engine's own outcomes
            scheduled = self.kind in ("downgrade", "cancel")
            object.__setattr__(self, "status", "scheduled" if scheduled else "applied")


def get_owned_subscription(deps: Deps, buyer_id: str, subscription_id: str) -> Subscription:
    subscription = deps.store.get_subscription(subscription_id)
    if subscription is None or subscription.buyer_id != buyer_id:
        raise NotFound("subscription", subscription_id)
    return subscription


def get_plan(deps: Deps, plan_id: str) -> Plan:
    plan = deps.store.get_plan(plan_id)
    if plan is None:
        raise NotFound("plan", plan_id)
    return plan


def plan_options(deps: Deps, buyer_id: str, subscription_id: str) -> list[Plan]:
    """The other plans of the subscription's product group, cheapest first."""
    subscription = get_owned_subscription(deps, buyer_id, subscription_id)
    current = get_plan(deps, subscription.plan_id)
    return [p for p in deps.store.list_plans(current.product_group)
            if p.id != current.id and p.selectable]


def quote_change(deps: Deps, buyer_id: str, subscription_id: str,
                 new_plan_id: str) -> PlanChangeQuote:
    subscription = get_owned_subscription(deps, buyer_id, subscription_id)
    new_plan = deps.store.get_plan(new_plan_id)
    if new_plan is None or not new_plan.selectable:
        raise ValidationError({"plan_id": "plan.not_offered"})
    return quote_plan_change(subscription, get_plan(deps, subscription.plan_id), new_plan,
                             deps.clock.now())


def idempotency_key_problem(key: object) -> str | None:
    """What breaks the key rule (stated in docs/configuration.md#idempotency-keys), or None."""
    if not isinstance(key, str):
        return f"{IDEMPOTENCY_KEY_RULE}; got {type(key).__name__}"
    if not MIN_KEY_LENGTH <= len(key) <= MAX_KEY_LENGTH:
        return f"{IDEMPOTENCY_KEY_RULE}; got {len(key)} characters"
    if not _KEY_CHARS.fullmatch(key):
        bad = next(c for c in key if not _KEY_CHARS.fullmatch(c))
        return f"{IDEMPOTENCY_KEY_RULE}; got the character {bad!r}"
    return None


def check_idempotency_key(key: str) -> None:
    """The rule goes into the developer's text; the buyer's key stays "form expired", since
    the portal's own forms always carry a valid key and only a stale or foreign form lacks
    one."""
    if (problem := idempotency_key_problem(key)) is not None:
        raise ValidationError({"idempotency_key": "form.expired"},
                              details={"idempotency_key": problem})


def _encode(outcome: ChangeOutcome) -> str:
    charged = outcome.amount_charged
    return json.dumps({
        "subscription_id": outcome.subscription.id, "kind": outcome.kind,
        "amount": None if charged is None else [charged.amount, charged.currency],
        "effective_at": outcome.effective_at.isoformat(), "order_id": outcome.order_id,
        # Never the fragment: providers hand the buyer a short-lived session token there
        # (Waffo's "#token="), which must not rest in the database; a replay goes to the
        # same page, where the provider asks the buyer to sign in.
        "status": outcome.status, "redirect_url": outcome.redirect_url.partition("#")[0],
    })


def _decode(deps: Deps, buyer_id: str, stored: str) -> ChangeOutcome:
    data = json.loads(stored)
    if data.get("superseded"):
        raise ChangeSuperseded(key="subscription.change_superseded")
    amount = data["amount"]
    return ChangeOutcome(
        subscription=get_owned_subscription(deps, buyer_id, data["subscription_id"]),
        kind=data["kind"], amount_charged=None if amount is None else Money(*amount),
        effective_at=datetime.fromisoformat(data["effective_at"]), order_id=data["order_id"],
        status=data.get("status", ""), redirect_url=data.get("redirect_url", ""),
    )


def idempotent(deps: Deps, scope: str, buyer_id: str, key: str, fingerprint: str,
               work: Callable[[], ChangeOutcome]) -> ChangeOutcome:
    """Run ``work`` once per (buyer, key); a replay returns the stored outcome.

    The key is namespaced by buyer so one buyer's key can never replay another's result.
    """
    check_idempotency_key(key)
    owned_key = f"{buyer_id}:{key}"
    stored = deps.store.begin_idempotent(scope, owned_key, fingerprint, deps.clock.now())
    if stored is not None:
        return _decode(deps, buyer_id, stored)
    try:
        outcome = work()
    except ChangeSuperseded:
        # Final: a retry with this key must not reuse the voided charge.
        deps.store.finish_idempotent(scope, owned_key, json.dumps({"superseded": True}))
        raise
    except BaseException:
        deps.store.abandon_idempotent(scope, owned_key)
        raise
    deps.store.finish_idempotent(scope, owned_key, _encode(outcome))
    return outcome


@contextmanager
def leased(deps: Deps, subscription_id: str, holder: str) -> Iterator[None]:
    """Hold the subscription exclusively: concurrent changes get a Conflict, not a 2nd charge."""
    now = deps.clock.now()
    if not deps.store.lease_subscription(subscription_id, holder, now + LEASE_TIME, now):
        raise Conflict(key="subscription.change_in_progress",
                       subscription_id=subscription_id)
    try:
        yield
    finally:
        deps.store.release_subscription(subscription_id, holder)


def change_plan(deps: Deps, buyer_id: str, subscription_id: str, new_plan_id: str,
                idempotency_key: str) -> ChangeOutcome:
    """Confirm a plan change: upgrades are charged now, downgrades wait for the period end."""
    fingerprint = f"{subscription_id}|{new_plan_id}"
    return idempotent(deps, "plan_change", buyer_id, idempotency_key, fingerprint,
                      lambda: _change_plan(deps, buyer_id, subscription_id, new_plan_id,
                                           idempotency_key))


def _change_plan(deps: Deps, buyer_id: str, subscription_id: str, new_plan_id: str,
                 key: str) -> ChangeOutcome:
    get_owned_subscription(deps, buyer_id, subscription_id)  # 404 before taking any lease
    with leased(deps, subscription_id, key):
        quoted_version = get_owned_subscription(deps, buyer_id, subscription_id).version
        quote = quote_change(deps, buyer_id, subscription_id, new_plan_id)
        charge = _charge(deps, buyer_id, quote, key) if quote.charges_now else None
        with deps.store.atomic():
            current = get_owned_subscription(deps, buyer_id, subscription_id)
            saved = (_save_change(deps, current, quote, charge, key)
                     if _still_ours(deps, current, quoted_version, key) else None)
    if saved is None:
        _void(deps, buyer_id, subscription_id, key, charge)
    subscription, order_id = saved
    deps.emit(f"subscription.{quote.kind.value}", buyer_id, subscription_id,
              old_plan_id=quote.current_plan.id, new_plan_id=quote.new_plan.id,
              **charged(charge.amount if charge else None))
    return ChangeOutcome(subscription, quote.kind.value, charge.amount if charge else None,
                         quote.effective_at, order_id)


def _charge(deps: Deps, buyer_id: str, quote: PlanChangeQuote, key: str) -> ChargeResult:
    try:
        return deps.gateway.charge(
            buyer_id=buyer_id, subscription_id=quote.subscription_id, amount=quote.amount_due,
            idempotency_key=f"plan_change:{buyer_id}:{key}",
            description=f"Upgrade to {quote.new_plan.name}",
        )
    except PaymentFailed as failure:
        deps.audit(actor=f"buyer:{buyer_id}", action="subscription.plan_change_failed",
                   subject=f"subscription:{quote.subscription_id}",
                   new={"plan_id": quote.new_plan.id, "reason": failure.reason},
                   amount=quote.amount_due, idempotency_key=key)
        raise


def _save_change(deps: Deps, current: Subscription, quote: PlanChangeQuote,
                 charge: ChargeResult | None, key: str) -> tuple[Subscription, str | None]:
    """Inside atomic(): the switched subscription, its order (if any) and the audit."""
    saved = deps.store.save_subscription(lifecycle.apply_quote(current, quote))
    order_id = None
    # An upgrade that costs nothing now (the period is all but over) is still recorded,
    # as a zero order; the gateway is never asked for 0.
    if charge is not None or quote.kind is ChangeKind.UPGRADE:
        order_id = record_paid_order(deps, saved,
                                     _proration_lines(quote, current.current_period_end), charge,
                                     quote.quoted_at, amount=quote.amount_due).id
    deps.audit(actor=f"buyer:{current.buyer_id}", action=f"subscription.{quote.kind.value}",
               subject=f"subscription:{current.id}", old={"plan_id": quote.current_plan.id},
               new={"plan_id": quote.new_plan.id,
                    "effective_at": quote.effective_at.isoformat()},
               amount=quote.amount_due, idempotency_key=key)
    return saved, order_id


def _still_ours(deps: Deps, current: Subscription, quoted_version: int, key: str) -> bool:
    """Whether the change may be saved: nothing was saved to the subscription since it was
    quoted, and the lease is still (or again) this request's. A gateway call that outlived
    the lease lets another request in; the first save then loses, never both."""
    now = deps.clock.now()
    return current.version == quoted_version and deps.store.lease_subscription(
        current.id, key, now + LEASE_TIME, now)


def _void(deps: Deps, buyer_id: str, subscription_id: str, key: str,
          charge: ChargeResult | None) -> NoReturn:
    """Give back the charge of a change that lost, then refuse it for good."""
    if charge is not None:
        give_back(deps, charge, refund_key=f"void:{buyer_id}:{key}",
                  reason="superseded plan change", actor=f"buyer:{buyer_id}",
                  subject=f"subscription:{subscription_id}", idempotency_key=key)
    raise ChangeSuperseded(key="subscription.change_superseded",
                           subscription_id=subscription_id)


def _proration_lines(quote: PlanChangeQuote, old_period_end: datetime) -> list[LineItem]:
    """The new plan from now (the rest of this period, or a whole new one when the billing
    period changes), less the old plan's unused time up to its own period end: gross
    amounts (plan prices include tax) worded by each document in its own language."""
    new, old = quote.new_plan, quote.current_plan
    starts_new_period = new.period is not old.period
    kind = LineKind.PLAN_PERIOD if starts_new_period else LineKind.PRORATION_CHARGE
    lines = [LineItem(description="", quantity=1, unit_price=quote.charge, amount=quote.charge,
                      plan_id=new.id, period_start=quote.effective_at,
                      period_end=quote.period_end, kind=kind, plan_name=new.name)]
    if quote.credit:
        lines.append(LineItem(description="", quantity=1, unit_price=-quote.credit,
                              amount=-quote.credit, plan_id=old.id,
                              period_start=quote.effective_at, period_end=old_period_end,
                              kind=LineKind.PRORATION_CREDIT, plan_name=old.name))
    return lines


def cancel(deps: Deps, buyer_id: str, subscription_id: str, reason: str | None, comment: str,
           idempotency_key: str) -> ChangeOutcome:
    """Cancel at the period end; the buyer keeps access until then. A scheduled change
    stays set aside on the subscription (a reactivation keeps it)."""
    parsed_reason, clean_comment = lifecycle.parse_cancellation(reason, comment)

    def work() -> ChangeOutcome:
        with leased(deps, subscription_id, idempotency_key), deps.store.atomic():
            current = get_owned_subscription(deps, buyer_id, subscription_id)
            now = deps.clock.now()
            saved = deps.store.save_subscription(
                lifecycle.cancel_at_period_end(current, parsed_reason, clean_comment, now))
            change = saved.scheduled_change
            deps.audit(actor=f"buyer:{buyer_id}", action="subscription.cancel",
                       subject=f"subscription:{subscription_id}",
                       old={"status": current.status.value},
                       new={"status": saved.status.value, "reason": parsed_reason or "",
                            "effective_at": saved.current_period_end.isoformat(),
                            **({"scheduled_plan_id": change.plan_id} if change else {})},
                       idempotency_key=idempotency_key)
        deps.emit("subscription.canceling", buyer_id, subscription_id,
                  reason=parsed_reason or "", comment=clean_comment)
        return ChangeOutcome(saved, "cancel", None, saved.current_period_end)

    get_owned_subscription(deps, buyer_id, subscription_id)
    return idempotent(deps, "cancel", buyer_id, idempotency_key,
                      f"{subscription_id}|{parsed_reason}|{clean_comment}", work)


def reactivate(deps: Deps, buyer_id: str, subscription_id: str,
               idempotency_key: str) -> ChangeOutcome:
    """Undo a pending cancellation before the period ends; a change scheduled before the
    cancel is still scheduled, and the audit names the plan that renews."""

    def work() -> ChangeOutcome:
        with leased(deps, subscription_id, idempotency_key), deps.store.atomic():
            current = get_owned_subscription(deps, buyer_id, subscription_id)
            now = deps.clock.now()
            saved = deps.store.save_subscription(lifecycle.reactivate(current, now))
            deps.audit(actor=f"buyer:{buyer_id}", action="subscription.reactivate",
                       subject=f"subscription:{subscription_id}",
                       old={"status": current.status.value},
                       new={"status": saved.status.value,
                            "renews_plan_id": lifecycle.plan_for_next_period(saved)},
                       idempotency_key=idempotency_key)
        deps.emit("subscription.reactivated", buyer_id, subscription_id)
        return ChangeOutcome(saved, "reactivate", None, now)

    get_owned_subscription(deps, buyer_id, subscription_id)
    return idempotent(deps, "reactivate", buyer_id, idempotency_key, subscription_id, work)


def undo_scheduled_change(deps: Deps, buyer_id: str, subscription_id: str,
                          idempotency_key: str) -> ChangeOutcome:
    """Drop a downgrade scheduled for the period end; the current plan renews."""

    def work() -> ChangeOutcome:
        with leased(deps, subscription_id, idempotency_key), deps.store.atomic():
            current = get_owned_subscription(deps, buyer_id, subscription_id)
            change = current.scheduled_change
            if change is None:
                raise PlanChangeNotAllowed(key="change.nothing_scheduled",
                                           subscription_id=subscription_id)
            saved = deps.store.save_subscription(attrs.evolve(current, scheduled_change=None))
            deps.audit(actor=f"buyer:{buyer_id}", action="subscription.undo_change",
                       subject=f"subscription:{subscription_id}",
                       old={"scheduled_plan_id": change.plan_id}, new={},
                       idempotency_key=idempotency_key)
        deps.emit("subscription.change_undone", buyer_id, subscription_id,
                  dropped_plan_id=change.plan_id)
        return ChangeOutcome(saved, "undo_change", None, deps.clock.now())

    get_owned_subscription(deps, buyer_id, subscription_id)
    return idempotent(deps, "undo_change", buyer_id, idempotency_key, subscription_id, work)


__all__ = ["ChangeKind", "ChangeOutcome", "cancel", "change_plan", "plan_options",
           "quote_change", "reactivate", "undo_scheduled_change"]
