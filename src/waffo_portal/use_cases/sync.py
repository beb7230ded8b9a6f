"""The sync API: the provider of record's data into the portal's store, idempotently.

Every record is validated before anything is written (one ValidationError names every
bad field of every record). Records are then written in batches, one transaction per
batch, kinds in ``core.sync.APPLY_ORDER``; within a batch only the newest revision of
each key counts, and the store's ``claim_revisions`` lets a record through only if its
revision is newer than the one stored, so re-running an import changes nothing and an
old delivery never overwrites a newer one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import islice
from typing import Any, cast

import attrs

from ..core.config import SUPPORTED_LOCALES
from ..core.exceptions import Conflict, ValidationError
from ..core.models import (
    Order,
    OrderStatus,
    PaymentStatus,
    Subscription,
    SubscriptionStatus,
    is_invoice_number,
)
from ..core.sync import (
    APPLY_ORDER,
    BillingDetailsRecord,
    BuyerRecord,
    InvoiceRecord,
    OrderRecord,
    PaymentRecord,
    PlanRecord,
    RecordKind,
    RefundRecord,
    SubscriptionRecord,
    SyncRecord,
    newest,
)
from ..core.sync_rules import validate_all
from ..ports import BulkSyncWrites, Store
from .context import Deps, log

_CHARGED_STATUSES = frozenset({OrderStatus.COMPLETED, OrderStatus.REFUNDED})
_TOOK_MONEY = frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED})

DEFAULT_BATCH = 500
MAX_BATCH = 5_000


@attrs.frozen
class SyncReport:
    """How many records were written, and how many were skipped because the portal
    already held that revision or a newer one (per kind, e.g. ``{"order": 3}``)."""

    written: Mapping[str, int]
    unchanged: Mapping[str, int]

    @property
    def total_written(self) -> int:
        return sum(self.written.values())

    @property
    def total_unchanged(self) -> int:
        return sum(self.unchanged.values())


def _keep_reason(incoming: Subscription, stored: Subscription | None) -> Subscription:
    """Providers have no field for the buyer's cancel reason: the portal keeps its own."""
    kept, held = incoming.cancellation, stored.cancellation if stored else None
    if (kept is not None and kept.reason is None and held is not None
            and (held.reason or held.comment)):
        return attrs.evolve(incoming, cancellation=attrs.evolve(
            kept, reason=held.reason, comment=kept.comment or held.comment))
    return incoming


_STILL_SCHEDULABLE = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING,
                                SubscriptionStatus.PAST_DUE})



def _keep_schedule(record: SubscriptionRecord, incoming: Subscription,
                   stored: Subscription | None) -> Subscription:
    """What the provider's reads cannot report stays while it can still happen
    (``SubscriptionRecord.keep_stored``): a change scheduled for the period end, and the
    mark of a change awaiting the buyer's confirmation at the provider."""
    if stored is None or stored.plan_id != incoming.plan_id:
        return incoming  # the plan changed meanwhile: neither can still be waiting
    held, pending = stored.scheduled_change, stored.pending_change
    if ("scheduled_change" in record.keep_stored and held is not None
            and incoming.scheduled_change is None and incoming.status in _STILL_SCHEDULABLE
            and held.plan_id != incoming.plan_id
            and held.effective_at > incoming.current_period_start):
        incoming = attrs.evolve(incoming, scheduled_change=held)
    if ("pending_change" in record.keep_stored and pending is not None
            and incoming.pending_change is None and incoming.status.has_access):
        incoming = attrs.evolve(incoming, pending_change=pending)
    return incoming


def _needs_stored(record: SubscriptionRecord) -> bool:
    incoming = record.subscription
    return (bool(record.keep_stored)
            or (incoming.cancellation is not None and incoming.cancellation.reason is None))


def _merged(record: SubscriptionRecord, stored: Subscription | None) -> Subscription:
    return _keep_schedule(record, _keep_reason(record.subscription, stored), stored)


def _subscription(store: Store, record: SubscriptionRecord) -> None:
    stored = store.get_subscription(record.subscription.id)
    # The store's own version guards concurrent writers; the provider's revision was
    # claimed already, so the stored copy's version is the one to replace.
    store.save_subscription(attrs.evolve(_merged(record, stored),
                                         version=stored.version if stored else 0))


def _subscriptions_in_bulk(store: Store, records: Sequence[SubscriptionRecord]) -> None:
    # The stored copy is read only where something of it may be kept (rare in a backfill).
    cast(BulkSyncWrites, store).replace_subscriptions([
        _merged(record, store.get_subscription(record.subscription.id)
                if _needs_stored(record) else None) for record in records])


def _order_of(store: Store, record: OrderRecord) -> Order:
    """The order to store; lines the portal holds stay if the record asks and they still
    add up to its subtotal (``OrderRecord.keep_stored``)."""
    order = record.to_order()
    if "lines" not in record.keep_stored:
        return order
    stored = store.get_order(record.id)
    if stored is None or sum(line.amount.amount for line in stored.line_items) != \
            order.subtotal.amount or stored.currency != order.currency:
        return order
    return attrs.evolve(order, line_items=stored.line_items)


def _bulk(method: str, part: Callable[[Any], Any]) -> Callable[[Store, Sequence[Any]], None]:
    return lambda store, records: getattr(store, method)([part(r) for r in records])


# Kinds a BulkSyncWrites store writes in one statement per batch.
_BULK: Mapping[RecordKind, Callable[[Store, Sequence[Any]], None]] = {
    RecordKind.PLAN: _bulk("save_plans", lambda r: r.plan),
    RecordKind.BUYER: _bulk("save_buyers", lambda r: r.buyer),
    RecordKind.SUBSCRIPTION: _subscriptions_in_bulk,
    RecordKind.ORDER: lambda store, records: cast(BulkSyncWrites, store).save_orders(
        [_order_of(store, r) for r in records]),
    RecordKind.INVOICE: _bulk("save_invoices", lambda r: r.invoice),
}


def _refund(store: Store, record: RefundRecord) -> None:
    payment = next((p for p in store.list_payments(record.order_id)
                    if p.id == record.payment_id), None)
    if payment is None:
        raise Conflict(key="sync.payment_missing", payment_id=record.payment_id)
    others = tuple(r for r in payment.refunds if r.id != record.refund.id)
    refunds = tuple(sorted((*others, record.refund), key=lambda r: (r.created_at, r.id)))
    if sum(r.amount.amount for r in refunds) > payment.amount.amount:
        raise ValidationError({"amount": "sync.refunds_exceed"})
    store.save_payment(attrs.evolve(payment, refunds=refunds))


def _payment(store: Store, record: PaymentRecord) -> None:
    # Refunds that arrived on their own are kept unless the payment record lists them.
    incoming = record.payment
    stored = next((p for p in store.list_payments(incoming.order_id) if p.id == incoming.id),
                  None)
    known = {r.id for r in incoming.refunds}
    extra = tuple(r for r in (stored.refunds if stored else ()) if r.id not in known)
    refunds = tuple(sorted((*incoming.refunds, *extra), key=lambda r: (r.created_at, r.id)))
    store.save_payment(attrs.evolve(incoming, refunds=refunds))


_WRITERS: Mapping[RecordKind, Callable[[Store, SyncRecord], None]] = {
    RecordKind.PLAN: lambda s, r: s.save_plan(r.plan),  # type: ignore[union-attr]
    RecordKind.BUYER: lambda s, r: s.save_buyer(r.buyer),  # type: ignore[union-attr]
    RecordKind.BILLING_DETAILS: lambda s, r: s.save_billing_details(
        r.buyer_id, r.details),  # type: ignore[union-attr]
    RecordKind.SUBSCRIPTION: _subscription,  # type: ignore[dict-item]
    RecordKind.ORDER: lambda s, r: s.save_order(_order_of(s, r)),  # type: ignore[arg-type]
    RecordKind.PAYMENT: _payment,  # type: ignore[dict-item]
    RecordKind.REFUND: _refund,  # type: ignore[dict-item]
    RecordKind.INVOICE: lambda s, r: s.save_invoice(r.invoice),  # type: ignore[union-attr]
}
_RECORD_TYPES = (PlanRecord, BuyerRecord, BillingDetailsRecord, SubscriptionRecord,
                 OrderRecord, PaymentRecord, RefundRecord, InvoiceRecord)


def write_batch(store: Store, records: Sequence[SyncRecord],
                written: dict[str, int], unchanged: dict[str, int],
                invoice_prefix: str) -> None:
    """Inside the caller's ``atomic()``: write the records whose revision is new, then
    number the orders they made paid.

    Every revision is claimed before any record is written, kind by kind in one order
    and ids sorted, so concurrent batches take their revision locks in the same order.
    """
    claimed: list[tuple[RecordKind, Mapping[str, SyncRecord], list[str]]] = []
    for kind in APPLY_ORDER:
        of_kind = [r for r in records if r.record_kind is kind]
        if not of_kind:
            continue
        latest = newest(of_kind)
        won = store.claim_revisions(kind.value, {k: r.revision for k, r in latest.items()})
        claimed.append((kind, latest, sorted(won)))
        written[kind.value] = written.get(kind.value, 0) + len(won)
        if len(of_kind) > len(won):
            unchanged[kind.value] = unchanged.get(kind.value, 0) + len(of_kind) - len(won)
    bulk = isinstance(store, BulkSyncWrites)
    for kind, latest, keys in claimed:
        if kind is RecordKind.INVOICE:
            keys = _not_numbered_here(store, latest, keys, invoice_prefix)
        if bulk and kind in _BULK:
            _BULK[kind](store, [latest[key] for key in keys])
            continue
        writer = _WRITERS[kind]
        for key in keys:
            writer(store, latest[key])
    _number_paid_orders(store, claimed, invoice_prefix)


def _not_numbered_here(store: Store, latest: Mapping[str, SyncRecord], keys: list[str],
                       prefix: str) -> list[str]:
    """The provider's invoices to write: not those of orders the portal numbered already.
    An issued number is never replaced (the buyer may hold it, and the sequence would get
    a gap); the provider's invoice for such an order is logged and left out."""
    kept = []
    for key in keys:
        stored = store.get_invoice(key)
        if stored is not None and is_invoice_number(prefix, stored.number) \
                and stored.number != cast(InvoiceRecord, latest[key]).invoice.number:
            log.warning("order %s keeps invoice %s; the provider's %s is not stored", key,
                        stored.number, cast(InvoiceRecord, latest[key]).invoice.number)
            continue
        kept.append(key)
    return kept


def _number_paid_orders(store: Store, claimed: Sequence[tuple[RecordKind,
                        Mapping[str, SyncRecord], list[str]]], prefix: str) -> None:
    """Issue an invoice for each order this batch made charged and the provider sent
    no invoice for (its invoice records were written first), dated when the provider
    recorded the order: numbering happens on payment, never when a buyer looks."""
    orders: dict[str, Order] = {}
    paid_later: set[str] = set()
    for _kind, latest, keys in claimed:
        for key in keys:
            record = latest[key]
            if isinstance(record, OrderRecord) and record.status in _CHARGED_STATUSES:
                orders[record.id] = record.to_order()
            elif isinstance(record, PaymentRecord) and record.payment.status in _TOOK_MONEY:
                paid_later.add(record.payment.order_id)
    for order_id in sorted(paid_later - orders.keys()):
        order = store.get_order(order_id)
        if order is not None:
            orders[order_id] = order
    # Numbers follow the provider's order dates, as they would have been issued.
    due = sorted(orders.values(), key=lambda o: (o.created_at, o.id))
    if isinstance(store, BulkSyncWrites):
        store.issue_invoices(due, prefix)
        return
    for order in due:
        store.issue_invoice(order, prefix, order.created_at)


def check(records: Sequence[SyncRecord]) -> None:
    """Raise ValidationError naming every bad field (``records[i].<field>``)."""
    for index, record in enumerate(records):
        if not isinstance(record, _RECORD_TYPES):
            raise ValidationError({f"records[{index}]": "sync.kind_unknown"})
    validate_all(records, SUPPORTED_LOCALES)


def apply(deps: Deps, records: Iterable[SyncRecord], *, batch_size: int = DEFAULT_BATCH,
          on_progress: Callable[[int], None] | None = None) -> SyncReport:
    """Validate every record, then write them ``batch_size`` per transaction."""
    if not 1 <= batch_size <= MAX_BATCH:
        raise ValidationError({"batch_size": "sync.quantity_invalid"})
    pending = list(records)
    check(pending)
    written: dict[str, int] = {}
    unchanged: dict[str, int] = {}
    done = 0
    feed = iter(pending)
    while batch := list(islice(feed, batch_size)):
        with deps.store.atomic():
            write_batch(deps.store, batch, written, unchanged, deps.config.invoice_prefix)
        done += len(batch)
        if on_progress is not None:
            on_progress(done)
    return SyncReport(written=written, unchanged=unchanged)
