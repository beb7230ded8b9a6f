"""Records a billing provider of record sends the portal, and the rules they must obey.

Each record is one object of the provider's (a plan, a buyer, a subscription, an order,
a payment, a refund, an invoice) as the provider last saw it, keyed by the provider's
id and stamped with the provider's ``revision``: any integer that grows with every
change of that object (a version counter, or the event time in milliseconds; see
``revision_at``). The sync use case writes a record only if its revision is newer
than the one it last wrote for the same key, so deliveries may arrive late, twice or
out of order.

``sync_rules`` holds the validation: a record it passes can be stored and drawn on
an invoice as it is.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import ClassVar, Final, TypeAlias

import attrs

from .models import (
    BillingDetails,
    Buyer,
    Invoice,
    LineItem,
    Order,
    OrderKind,
    OrderStatus,
    Payment,
    Plan,
    Refund,
    Subscription,
    utc,
)
from .money import Money


class RecordKind(enum.StrEnum):
    """What a sync record holds; revisions are kept per kind and key."""

    PLAN = "plan"
    BUYER = "buyer"
    BILLING_DETAILS = "billing_details"
    SUBSCRIPTION = "subscription"
    ORDER = "order"
    PAYMENT = "payment"
    REFUND = "refund"
    INVOICE = "invoice"


# Within one batch, kinds are written in this order: a refund finds the payment it
# belongs to even when both arrive together. It is also the lock order across processes.
APPLY_ORDER: Final = tuple(RecordKind)


def revision_at(moment: datetime) -> int:
    """A revision from an event time: whole milliseconds since the Unix epoch."""
    return int(utc(moment).timestamp() * 1000)


@attrs.frozen
class PlanRecord:
    """A plan as the provider has it (key: ``plan.id``)."""

    plan: Plan
    revision: int
    record_kind: ClassVar[RecordKind] = RecordKind.PLAN

    @property
    def key(self) -> str:
        return self.plan.id


@attrs.frozen
class BuyerRecord:
    """A buyer (key: ``buyer.id``). The buyer must be stored before
    ``Portal.create_login_link``, ``start_session`` or ``email_portal_link`` for its id
    (else ``NotFound: buyer not found``)."""

    buyer: Buyer
    revision: int
    record_kind: ClassVar[RecordKind] = RecordKind.BUYER

    @property
    def key(self) -> str:
        return self.buyer.id


@attrs.frozen
class BillingDetailsRecord:
    """A buyer's current billing details (key: ``buyer_id``)."""

    buyer_id: str
    details: BillingDetails
    revision: int
    record_kind: ClassVar[RecordKind] = RecordKind.BILLING_DETAILS

    @property
    def key(self) -> str:
        return self.buyer_id


# What a provider whose reads cannot report a field may ask the portal to keep.
KEEPABLE: Final[Mapping[RecordKind, frozenset[str]]] = {
    RecordKind.SUBSCRIPTION: frozenset({"scheduled_change", "pending_change"}),
    RecordKind.ORDER: frozenset({"lines"}),
}


@attrs.frozen
class SubscriptionRecord:
    """The subscription as the provider has it; its own ``version`` field is ignored
    (the store keeps that one for optimistic concurrency).

    ``keep_stored=("scheduled_change",)``: the provider's reads do not carry a change
    scheduled for the period end (Waffo's), so one the portal holds stays, as long as it
    can still happen: the subscription is active or past due, still on the plan it was
    scheduled from, and the period the change waits for has not begun.
    ``"pending_change"``: this record does not answer the change the buyer was sent to
    confirm at the provider; the portal's mark stays while the plan is unchanged."""

    subscription: Subscription
    revision: int
    keep_stored: tuple[str, ...] = ()
    record_kind: ClassVar[RecordKind] = RecordKind.SUBSCRIPTION

    @property
    def key(self) -> str:
        return self.subscription.id


@attrs.frozen
class OrderLine:
    """One line, net of tax: ``net`` MUST equal ``quantity`` x ``unit_net``."""

    description: str
    quantity: int
    unit_net: Money
    net: Money
    plan_id: str | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None


@attrs.frozen
class OrderRecord:
    """An order with explicit net and gross amounts: the lines' ``net`` add up to
    ``subtotal_net``; ``subtotal_net + tax = total_gross``; ``tax_rate_percent`` is a
    percent ("19", "8.875"), 0 for no tax."""

    id: str
    buyer_id: str
    kind: OrderKind
    status: OrderStatus
    currency: str
    lines: tuple[OrderLine, ...]
    subtotal_net: Money
    tax: Money
    total_gross: Money
    tax_rate_percent: Decimal
    billing_details: BillingDetails
    created_at: datetime
    revision: int
    subscription_id: str | None = None
    tax_note: str = ""
    keep_stored: tuple[str, ...] = ()
    """``("lines",)``: the provider's reads describe a past charge by today's product
    (Waffo's), so lines the portal already holds stay, if they still add up to
    ``subtotal_net``."""
    reverse_charge: bool = False
    """The buyer accounts for the VAT (EU B2B across borders): the tax must then be 0."""
    record_kind: ClassVar[RecordKind] = RecordKind.ORDER

    @property
    def key(self) -> str:
        return self.id

    def to_order(self) -> Order:
        lines = tuple(LineItem(line.description, line.quantity, line.unit_net, line.net,
                               line.plan_id, line.period_start, line.period_end)
                      for line in self.lines)
        return Order(id=self.id, buyer_id=self.buyer_id, kind=self.kind, status=self.status,
                     currency=self.currency, line_items=lines, subtotal=self.subtotal_net,
                     tax=self.tax, total=self.total_gross, tax_rate=self.tax_rate_percent,
                     billing_details=self.billing_details, created_at=self.created_at,
                     subscription_id=self.subscription_id, tax_note=self.tax_note,
                     prices_include_tax=False, reverse_charge=self.reverse_charge)


@attrs.frozen
class PaymentRecord:
    """A payment with the refunds the provider knows of (refunds may also come alone,
    as ``RefundRecord``)."""

    payment: Payment
    revision: int
    record_kind: ClassVar[RecordKind] = RecordKind.PAYMENT

    @property
    def key(self) -> str:
        return self.payment.id


@attrs.frozen
class RefundRecord:
    """One refund of a payment the portal already has (else the write is refused with
    Conflict ``sync.payment_missing``, for the provider to deliver again later)."""

    order_id: str
    payment_id: str
    refund: Refund
    revision: int
    record_kind: ClassVar[RecordKind] = RecordKind.REFUND

    @property
    def key(self) -> str:
        return f"{self.payment_id}/{self.refund.id}"


@attrs.frozen
class InvoiceRecord:
    """The provider's invoice of an order: its number and issue date are kept as they are."""

    invoice: Invoice
    revision: int
    record_kind: ClassVar[RecordKind] = RecordKind.INVOICE

    @property
    def key(self) -> str:
        return self.invoice.order_id


SyncRecord: TypeAlias = (PlanRecord | BuyerRecord | BillingDetailsRecord | SubscriptionRecord
                         | OrderRecord | PaymentRecord | RefundRecord | InvoiceRecord)
"""Any record ``Sync.apply`` takes; each has a ``revision``, a ``key`` and a ``record_kind``."""


def newest(records: Iterable[SyncRecord]) -> Mapping[str, SyncRecord]:
    """Per key, the record with the highest revision (the first of equals)."""
    best: dict[str, SyncRecord] = {}
    for record in records:
        held = best.get(record.key)
        if held is None or record.revision > held.revision:
            best[record.key] = record
    return best
