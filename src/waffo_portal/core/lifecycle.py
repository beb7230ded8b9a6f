"""The subscription state machine: pure transitions, no I/O.

::

    trialing ──trial ends, paid──▶ active ──renewal declined──▶ past_due ──period ends──▶ expired
        │                           │  ▲                          │
        └──────cancel──────▶ canceling ┘ reactivate (before period end)
                                │
                          period ends ──▶ canceled

A downgrade scheduled before a cancel stays on the subscription while it is canceling:
the period end ends the subscription instead (``ended`` drops it), and a reactivation
before then keeps it, so the renewal bills the plan the buyer chose.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from .billing_details import has_control_chars
from .exceptions import PlanChangeNotAllowed, ValidationError
from .models import (
    Cancellation,
    CancellationReason,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    Plan,
    ScheduledChange,
    Subscription,
    SubscriptionStatus,
)
from .money import Money
from .proration import ChangeKind, PlanChangeQuote

MAX_COMMENT_LENGTH = 1000
_CANCELABLE = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING,
                         SubscriptionStatus.PAST_DUE})


def parse_cancellation(reason: str | None, comment: str) -> tuple[CancellationReason | None, str]:
    """Validate the optional reason (from the fixed list) and free comment."""
    errors: dict[str, str] = {}
    parsed: CancellationReason | None = None
    if reason:
        try:
            parsed = CancellationReason(reason)
        except ValueError:
            errors["reason"] = "cancel.reason_invalid"
    comment = _normalized_comment(comment)
    if _comment_has_bad_chars(comment):
        errors["comment"] = "cancel.comment_characters"
    elif len(comment) > MAX_COMMENT_LENGTH:
        errors["comment"] = "cancel.comment_too_long"
    if errors:
        raise ValidationError(errors)
    return parsed, comment


def _normalized_comment(comment: str) -> str:
    # Browsers send a textarea's line breaks as CRLF (old Macs as CR): stored comments
    # use LF only, so the length check and the reports see one form.
    return comment.replace("\r\n", "\n").replace("\r", "\n").strip()


def _comment_has_bad_chars(comment: str) -> bool:
    """Whether a normalized comment holds anything but printable text and line feeds:
    the billing fields' rule (C0/C1 controls including tab, DEL, lone surrogates,
    U+2028/9, bidi overrides and isolates), with only the line feed of a multi-line box
    allowed. Merchants read comments in spreadsheets and terminals, where these hide or
    reorder text."""
    return has_control_chars(comment.replace("\n", ""))


def cancel_at_period_end(subscription: Subscription, reason: CancellationReason | None,
                         comment: str, now: datetime) -> Subscription:
    """Canceling at the period end. A scheduled change is kept, not dropped: it cannot
    happen (the subscription ends first) unless the buyer reactivates."""
    if subscription.status not in _CANCELABLE:
        raise PlanChangeNotAllowed(key="cancel.not_cancelable",
                                   subscription_id=subscription.id,
                                   status=subscription.status.value)
    cancellation = Cancellation(reason=reason, comment=comment, requested_at=now,
                                effective_at=subscription.current_period_end)
    return attrs.evolve(subscription, status=SubscriptionStatus.CANCELING,
                        cancellation=cancellation)


def reactivate(subscription: Subscription, now: datetime) -> Subscription:
    """Active (or trialing) again, with any change the cancel set aside still scheduled."""
    if subscription.status is not SubscriptionStatus.CANCELING:
        raise PlanChangeNotAllowed(key="reactivate.not_canceling",
                                   subscription_id=subscription.id,
                                   status=subscription.status.value)
    if now >= subscription.current_period_end:
        raise PlanChangeNotAllowed(key="reactivate.ended",
                                   subscription_id=subscription.id,
                                   status=subscription.status.value)
    in_trial = subscription.trial_end is not None and now < subscription.trial_end
    status = SubscriptionStatus.TRIALING if in_trial else SubscriptionStatus.ACTIVE
    return attrs.evolve(subscription, status=status, cancellation=None)


def apply_quote(subscription: Subscription, quote: PlanChangeQuote) -> Subscription:
    """The subscription after a confirmed plan change (upgrade now, downgrade scheduled)."""
    if quote.kind is ChangeKind.DOWNGRADE:
        change = ScheduledChange(plan_id=quote.new_plan.id, effective_at=quote.effective_at,
                                 requested_at=quote.quoted_at)
        return attrs.evolve(subscription, scheduled_change=change)
    return attrs.evolve(subscription, plan_id=quote.new_plan.id, scheduled_change=None,
                        current_period_start=quote.period_start,
                        current_period_end=quote.period_end)


def plan_for_next_period(subscription: Subscription) -> str:
    change = subscription.scheduled_change
    return change.plan_id if change is not None else subscription.plan_id


def renewed(subscription: Subscription, plan: Plan, *, paid: bool) -> Subscription:
    """Start the next period on ``plan``; unpaid renewals make the subscription past due."""
    start = subscription.current_period_end
    status = SubscriptionStatus.ACTIVE if paid else SubscriptionStatus.PAST_DUE
    return attrs.evolve(subscription, plan_id=plan.id, status=status, scheduled_change=None,
                        current_period_start=start, current_period_end=plan.period.advance(start))


def ended(subscription: Subscription) -> Subscription:
    """The terminal state at the period end: canceled if asked for, else expired (unpaid)."""
    status = (SubscriptionStatus.CANCELED if subscription.status is SubscriptionStatus.CANCELING
              else SubscriptionStatus.EXPIRED)
    return attrs.evolve(subscription, status=status, scheduled_change=None)


_ENDING = frozenset({SubscriptionStatus.CANCELING, SubscriptionStatus.CANCELED,
                     SubscriptionStatus.EXPIRED})


def next_bill(subscription: Subscription, plan: Plan | None,
              next_plan: Plan | None) -> tuple[datetime | None, Money | None]:
    """When the buyer is billed next and how much: at the period end, the price of the
    scheduled plan if a change is scheduled, else of the current plan. A subscription that
    ends (canceling, canceled, expired) has no next bill: (None, None)."""
    if subscription.status in _ENDING:
        return None, None
    billed = next_plan or plan
    return subscription.current_period_end, None if billed is None else billed.price


def open_renewal(subscription: Subscription, orders: Iterable[Order]) -> Order | None:
    """The unpaid order a past-due subscription owes (its declined renewal): the newest
    pending order of the subscription with something to pay. None when not past due."""
    if subscription.status is not SubscriptionStatus.PAST_DUE:
        return None
    owed = [o for o in orders if o.subscription_id == subscription.id
            and o.status is OrderStatus.PENDING and o.total.amount > 0]
    return max(owed, key=lambda o: o.created_at, default=None)


def failed_at(order: Order, payments: Iterable[Payment]) -> datetime:
    """When the charge of ``order`` last failed (the order's date if no attempt is known)."""
    failed = [p.created_at for p in payments if p.status is PaymentStatus.FAILED]
    return max(failed, default=order.created_at)


def recovered(subscription: Subscription, open_orders: Iterable[Order]) -> Subscription:
    """Active again once a past-due subscription owes nothing (its renewal was paid late):
    same period, same plan. Anything else, or an order still open, is left as it is."""
    if (subscription.status is not SubscriptionStatus.PAST_DUE
            or open_renewal(subscription, open_orders) is not None):
        return subscription
    return attrs.evolve(subscription, status=SubscriptionStatus.ACTIVE)
