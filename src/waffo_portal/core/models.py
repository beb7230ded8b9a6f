"""Domain models: plain, frozen attrs classes with no I/O.

Shaped so a merchant on Waffo maps its data one to one. All timestamps are
timezone-aware UTC; all amounts are ``Money``.
Changes produce new instances (``attrs.evolve``), never in-place mutation.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import attrs

from .money import Money


def _utc(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, datetime) or value.utcoffset() != timedelta(0):
        raise ValueError(f"{attribute.name} must be a timezone-aware UTC datetime")


def utc(value: datetime) -> datetime:
    """Normalise an aware datetime to UTC (refuse naive ones)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime; use timezone-aware UTC")
    return value.astimezone(UTC)


class BillingPeriod(enum.StrEnum):
    """How often a plan bills; the value is what the sync API and the stores carry."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"

    @property
    def months(self) -> int:
        return {"weekly": 0, "monthly": 1, "quarterly": 3, "yearly": 12}[self.value]

    @property
    def nominal_days(self) -> Fraction:
        """Average length, used only to compare prices per unit of time."""
        if self is BillingPeriod.WEEKLY:
            return Fraction(7)
        return Fraction(36525, 1200) * self.months

    def advance(self, start: datetime) -> datetime:
        """The end of a period that begins at ``start`` (calendar months, day clamped)."""
        if self is BillingPeriod.WEEKLY:
            return start + timedelta(days=7)
        return add_months(start, self.months)


def add_months(moment: datetime, months: int) -> datetime:
    """Add calendar months, clamping the day (Jan 31 + 1 month = Feb 28/29)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


class SubscriptionStatus(enum.StrEnum):
    """A subscription's state; ``has_access`` is true for every status but canceled and expired."""

    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELING = "canceling"  # canceled at period end; access until then
    CANCELED = "canceled"
    EXPIRED = "expired"

    @property
    def has_access(self) -> bool:
        return self in _ACCESS_STATUSES


_ACCESS_STATUSES = frozenset(
    {SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE,
     SubscriptionStatus.CANCELING}
)


class CancellationReason(enum.StrEnum):
    """Why a buyer canceled, as picked on the cancel form (``PortalEvent.data['reason']``)."""

    TOO_EXPENSIVE = "too_expensive"
    MISSING_FEATURES = "missing_features"
    SWITCHED_SERVICE = "switched_service"
    UNUSED = "unused"
    CUSTOMER_SERVICE = "customer_service"
    LOW_QUALITY = "low_quality"
    TOO_COMPLEX = "too_complex"
    OTHER = "other"


class OrderKind(enum.StrEnum):
    """Whether an order bills a subscription (a period, a renewal, a proration) or a one-off."""

    ONE_TIME = "one_time"
    SUBSCRIPTION = "subscription"


class OrderStatus(enum.StrEnum):
    """``PENDING`` is open (unpaid, e.g. a declined renewal the buyer may pay);
    ``COMPLETED`` is paid."""

    PENDING = "pending"
    COMPLETED = "completed"
    CANCELED = "canceled"
    REFUNDED = "refunded"


class LineKind(enum.StrEnum):
    """What a line bills for. Every kind but CUSTOM is worded by the document in its own
    language at display time, from the line's plan name and period; CUSTOM prints the
    merchant's ``description`` as sent."""

    PLAN_PERIOD = "plan_period"  # a first or plain period of a plan
    RENEWAL = "renewal"  # the next period of a subscription
    PRORATION_CHARGE = "proration_charge"  # the new plan for the rest of the period
    PRORATION_CREDIT = "proration_credit"  # unused time on the old plan (negative)
    CUSTOM = "custom"


class PaymentStatus(enum.StrEnum):
    """The state of one payment attempt of an order."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    REFUNDED = "refunded"


@attrs.frozen
class Buyer:
    """A customer of the merchant. It must exist before any login link or session for it:
    the sync API writes it (``BuyerRecord``), or the host calls ``store.save_buyer``."""

    id: str
    """The merchant's (or provider's) own customer id, e.g. ``cus_42``."""
    email: str
    """Where login links go; buyers are looked up by ``normalize_email`` of it."""
    locale: str | None = None
    """Preferred portal language (a ``SUPPORTED_LOCALES`` code); None: the browser's."""
    name: str = ""


@attrs.frozen
class BillingDetails:
    """Who is billed, where: validated by ``billing_details``.

    ``name`` is the person billed (a business's contact); ``business_name`` and
    ``tax_id`` count only when ``is_business``. ``state`` is an ISO 3166-2 code."""

    country: str
    state: str = ""
    postal_code: str = ""
    business_name: str = ""
    tax_id: str = ""
    is_business: bool = False
    name: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""

    def tax_treatment(self) -> tuple[str, bool, str]:
        """What decides an order's tax (country, business status, VAT id): an issued
        invoice may be corrected in anything else, never in these."""
        return (self.country, self.is_business, self.tax_id if self.is_business else "")


@attrs.frozen
class PaymentMethod:
    """What the portal may know of a card: brand and last four digits, nothing else."""

    brand: str
    last4: str = attrs.field()

    @last4.validator
    def _four_digits(self, _attribute: object, value: str) -> None:
        if len(value) != 4 or not value.isascii() or not value.isdigit():
            raise ValueError("last4 must be exactly four digits")


@attrs.frozen
class Plan:
    """Something a buyer subscribes to. Plans of one ``product_group`` are the options of a
    plan change; a change never crosses groups or currencies."""

    id: str
    name: str
    product_group: str
    price: Money
    """Per period, in minor units; **gross** (tax included), as invoices print it."""
    period: BillingPeriod
    trial_days: int = 0
    """Days free before the first charge; 0: none."""
    # False: kept for the subscriptions already on it (grandfathered or retired), but
    # never offered in the plan picker or accepted as the target of a change.
    selectable: bool = True
    """False: kept for the subscriptions on it, never offered or accepted as a target."""

    def price_per_day(self) -> Fraction:
        return Fraction(self.price.amount) / self.period.nominal_days


@attrs.frozen
class ScheduledChange:
    """A plan switch that takes effect at ``effective_at`` (a downgrade)."""

    plan_id: str
    effective_at: datetime = attrs.field(validator=_utc)
    requested_at: datetime = attrs.field(validator=_utc)


@attrs.frozen
class PendingChange:
    """A plan change the buyer was sent to confirm on the provider's page; nothing has
    changed yet. The provider's answer (by webhook) replaces the subscription and so
    clears it; unanswered, it lapses at ``expires_at``."""

    plan_id: str
    requested_at: datetime = attrs.field(validator=_utc)
    expires_at: datetime = attrs.field(validator=_utc)

    def open_at(self, now: datetime) -> bool:
        return now < self.expires_at


@attrs.frozen
class Cancellation:
    """A standing cancellation: why, and when it takes effect (the period end)."""

    reason: CancellationReason | None
    comment: str
    requested_at: datetime = attrs.field(validator=_utc)
    effective_at: datetime = attrs.field(validator=_utc)


@attrs.frozen
class Subscription:
    """One buyer's subscription to one plan. Datetimes are UTC; the current period is
    ``[current_period_start, current_period_end)``."""

    id: str
    buyer_id: str
    plan_id: str
    status: SubscriptionStatus
    current_period_start: datetime = attrs.field(validator=_utc)
    current_period_end: datetime = attrs.field(validator=_utc)
    created_at: datetime = attrs.field(validator=_utc)
    trial_end: datetime | None = attrs.field(default=None, validator=_utc)
    """End of the trial (UTC) while ``TRIALING``, else None."""
    scheduled_change: ScheduledChange | None = None
    """A downgrade waiting for the period end."""
    cancellation: Cancellation | None = None
    payment_method: PaymentMethod | None = None
    """The card on file as far as the portal may know it (brand, last four)."""
    pending_change: PendingChange | None = None
    """A change the buyer still has to confirm on the provider's page."""
    # Bumped by every write; stores use it for optimistic concurrency.
    version: int = 0


@attrs.frozen
class LineItem:
    """One line of an order. ``unit_price`` and ``amount`` (= quantity x unit price) are
    gross when the order's ``prices_include_tax``, else net.

    ``description`` is the merchant's own text (kind CUSTOM, or what the sync API sent);
    the other kinds carry ``plan_name`` as it was when the order was made, so a later
    rename never rewrites an issued invoice."""

    description: str
    quantity: int
    """How many units; ``amount = quantity x unit_price``."""
    unit_price: Money
    amount: Money
    """Net or gross as the order's ``prices_include_tax``; negative for a credit."""
    plan_id: str | None = None
    period_start: datetime | None = attrs.field(default=None, validator=_utc)
    period_end: datetime | None = attrs.field(default=None, validator=_utc)
    kind: LineKind = LineKind.CUSTOM
    plan_name: str = ""


@attrs.frozen
class Order:
    """``subtotal`` is the amount before tax, ``tax`` the tax on it and ``total`` what the
    buyer pays (``subtotal + tax``); ``tax_rate`` is a percent ("19"), never a fraction.

    One rule says what the lines add up to: the ``total`` when ``prices_include_tax``
    (gross prices, as the portal's plan prices are), else the ``subtotal``.
    ``reverse_charge``: the buyer accounts for the VAT (EU B2B across borders); the
    tax is then zero and the document says so."""

    id: str
    buyer_id: str
    kind: OrderKind
    status: OrderStatus
    currency: str
    """ISO 4217 code of every amount of the order."""
    line_items: tuple[LineItem, ...]
    subtotal: Money
    """Before tax (net), minor units."""
    tax: Money
    """The tax on ``subtotal``; zero under reverse charge."""
    total: Money
    """What the buyer pays: ``subtotal + tax`` (gross)."""
    tax_rate: Decimal
    """A **percent** as an exact decimal: ``Decimal("19")`` is 19 %, ``Decimal("0.19")``
    would print "0.19 %". Never a fraction, never a float."""
    billing_details: BillingDetails
    created_at: datetime = attrs.field(validator=_utc)
    subscription_id: str | None = None
    """The subscription it bills; None for a one-off order."""
    tax_note: str = ""
    """Printed under the tax line (e.g. the reverse-charge wording)."""
    prices_include_tax: bool = False
    """True: the lines are gross and add up to ``total``; False: net, to ``subtotal``."""
    reverse_charge: bool = False


@attrs.frozen
class Refund:
    """Money given back from a payment; ``amount`` in minor units."""

    id: str
    amount: Money
    created_at: datetime = attrs.field(validator=_utc)
    reason: str = ""


@attrs.frozen
class Payment:
    """One attempt to collect an order's money; ``amount`` in minor units."""

    id: str
    order_id: str
    buyer_id: str
    amount: Money
    status: PaymentStatus
    created_at: datetime = attrs.field(validator=_utc)
    method: PaymentMethod | None = None
    failure_reason: str = ""
    """The gateway's or provider's reason for a failed payment."""
    refunds: tuple[Refund, ...] = ()
    provider_reference: str = ""
    """The gateway's or provider's id of the charge."""

    @property
    def refunded(self) -> Money:
        total = Money.zero(self.amount.currency)
        for refund in self.refunds:
            total = total + refund.amount
        return total


@attrs.frozen
class Invoice:
    """An issued invoice. ``number`` is sequential and never reused; edits bump ``revision``."""

    number: str
    order_id: str
    buyer_id: str
    issued_at: datetime = attrs.field(validator=_utc)
    billing_details: BillingDetails | None = None
    revision: int = 0
    revised_at: datetime | None = attrs.field(default=None, validator=_utc)


@attrs.frozen
class AuditEvent:
    """One security- or money-relevant action: who did what, old -> new, when (UTC)."""

    id: str
    at: datetime = attrs.field(validator=_utc)
    actor: str  # "buyer:<id>", "merchant", "system"
    action: str
    subject: str  # "subscription:<id>", "buyer:<id>", ...
    old: Mapping[str, str] = attrs.field(factory=dict)
    new: Mapping[str, str] = attrs.field(factory=dict)
    amount: Money | None = None
    idempotency_key: str | None = None


@attrs.frozen
class PortalEvent:
    """A business event sent to the merchant's EventSink (e.g. to track cancel reasons)."""

    type: str
    """The event type, e.g. ``subscription.canceling``: see the events reference."""
    at: datetime = attrs.field(validator=_utc)
    buyer_id: str
    subscription_id: str | None = None
    data: Mapping[str, str] = attrs.field(factory=dict)
    """The type's payload; every value is a string."""


# Statuses whose period end needs a transition (renew, cancel, expire, apply a change);
# every store's "due" query reads this set.
DUE_STATUSES: Final = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING,
                                 SubscriptionStatus.CANCELING, SubscriptionStatus.PAST_DUE})


#: Most lines an order may have: a document with more would hold the renderer (and its
#: process-wide lock) for seconds. The sync API refuses more; stored ones are not drawn.
MAX_LINE_ITEMS: Final = 250
#: Documents with more lines are drawn in the background when the caller can wait (the
#: web download); below it a render takes less than a second round trip.
BACKGROUND_LINE_ITEMS: Final = 50


def normalize_email(email: str) -> str:
    """The form of an email address that buyers are looked up by (case and spaces ignored)."""
    return email.strip().lower()


def invoice_number(prefix: str, sequence: int) -> str:
    """An invoice's printed number: the prefix, then the gap-free sequence in six digits."""
    return f"{prefix}{sequence:06d}"


def is_invoice_number(prefix: str, number: str) -> bool:
    """Whether ``number`` is one ``invoice_number`` made for ``prefix`` (the portal's
    own, not a provider's)."""
    sequence = number.removeprefix(prefix)
    return number.startswith(prefix) and len(sequence) >= 6 and sequence.isdigit()
