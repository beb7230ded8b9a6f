"""Every port of the portal, as ``typing.Protocol``.

Implementations MUST be safe to call from several threads. Store methods that
say *atomic* MUST be atomic across processes sharing one database. A Store MUST
treat the ``atomic()`` block as one transaction: all its writes land, or none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from .core.auth_models import BuyerSession, LoginLink
from .core.charges import ChargeResult
from .core.email import EmailMessage, OutboxEmail
from .core.models import (
    AuditEvent,
    BillingDetails,
    Buyer,
    Invoice,
    Order,
    Payment,
    Plan,
    PortalEvent,
    Subscription,
)
from .core.money import Money
from .core.proration import PlanChangeQuote
from .core.provider import ProviderAction, ProviderOutcome, WebhookDelivery
from .core.tax import TaxTreatment


@runtime_checkable
class Clock(Protocol):
    """Where the portal reads the time; ``FrozenClock`` moves it in tests."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""


class BuyerStore(Protocol):
    """Buyers and their current billing details."""

    def get_buyer(self, buyer_id: str) -> Buyer | None:
        """The buyer with this id, or None."""

    def find_buyer_by_email(self, email: str) -> Buyer | None:
        """The buyer whose email matches after ``core.models.normalize_email``."""

    def save_buyer(self, buyer: Buyer) -> None:
        """Insert or replace a buyer."""

    def get_billing_details(self, buyer_id: str) -> BillingDetails | None:
        """The buyer's current billing details, or None if never set."""

    def save_billing_details(self, buyer_id: str, details: BillingDetails) -> None:
        """Replace the buyer's current billing details."""


class CatalogStore(Protocol):
    """Plans."""

    def get_plan(self, plan_id: str) -> Plan | None:
        """The plan with this id, or None."""

    def list_plans(self, product_group: str) -> Sequence[Plan]:
        """Plans of one product group, cheapest first."""

    def save_plan(self, plan: Plan) -> None:
        """Insert or replace a plan."""


class SubscriptionStore(Protocol):
    """Subscriptions, their optimistic versions and their leases."""

    def get_subscription(self, subscription_id: str) -> Subscription | None:
        """The subscription with this id, or None."""

    def list_subscriptions(self, buyer_id: str) -> Sequence[Subscription]:
        """A buyer's subscriptions, newest first."""

    def list_cancellations(self, since: datetime, until: datetime,
                           limit: int = 10_000) -> Sequence[Subscription]:
        """Subscriptions whose (still standing) cancellation was requested in [since, until),
        oldest request first."""

    def save_subscription(self, subscription: Subscription) -> Subscription:
        """Insert (version 0) or update; MUST raise Conflict if the stored version differs
        from ``subscription.version``. Returns the stored copy with the version bumped."""

    def lease_subscription(self, subscription_id: str, holder: str, until: datetime,
                           now: datetime) -> bool:
        """Atomic: take an exclusive lease unless another holder's lease is still live."""

    def release_subscription(self, subscription_id: str, holder: str) -> None:
        """Drop ``holder``'s lease (no-op if it does not hold it)."""

    def lease_due_subscriptions(self, now: datetime, limit: int, holder: str,
                                until: datetime) -> Sequence[Subscription]:
        """Atomic: lease up to ``limit`` subscriptions whose period ended at or before ``now``
        and whose status is in ``core.models.DUE_STATUSES``, skipping ones leased by others
        (SKIP LOCKED)."""


class OrderStore(Protocol):
    """Orders and their payments."""

    def save_order(self, order: Order) -> None:
        """Insert or replace an order."""

    def get_order(self, order_id: str) -> Order | None:
        """The order with this id, or None."""

    def list_orders(self, buyer_id: str, limit: int,
                    before: tuple[datetime, str] | None = None) -> Sequence[Order]:
        """A buyer's orders newest first, keyset-paginated on (created_at, id)."""

    def save_payment(self, payment: Payment) -> None:
        """Insert or replace a payment."""

    def list_payments(self, order_id: str) -> Sequence[Payment]:
        """Payments of one order, oldest first."""


class InvoiceStore(Protocol):
    """Issued invoices and their gap-free numbers."""

    def issue_invoice(self, order: Order, prefix: str, issued_at: datetime) -> Invoice:
        """Atomic and idempotent: the order's invoice, numbering it if it has none.
        The store keeps the gap-free sequence per prefix (never reused) and MUST format
        the number with ``core.models.invoice_number(prefix, n)``."""

    def get_invoice(self, order_id: str) -> Invoice | None:
        """The invoice of an order, or None if not issued."""

    def save_invoice(self, invoice: Invoice) -> None:
        """Replace an issued invoice (a revision keeps the number)."""


class TaxPolicy(Protocol):
    """The tax of every order the portal itself makes (upgrades, renewals, zero orders).
    With a provider of record the provider taxes its own orders and this is unused.
    The default is ``core.tax.RateTablePolicy`` over ``PortalConfig.tax_rates``."""

    def treatment(self, details: BillingDetails | None, currency: str) -> TaxTreatment:
        """The rate (and reverse charge) for a buyer with these billing details, as in force
        when the order is made. MUST NOT guess: raise ConfigurationError for a rate it
        does not know rather than return 0."""


class IdempotencyStore(Protocol):
    """The outcomes of idempotency keys, per scope."""

    def begin_idempotent(self, scope: str, key: str, fingerprint: str,
                         now: datetime) -> str | None:
        """Atomic. None: the caller now owns the key and must finish or abandon it.
        A string: the stored result of a finished request with this key.
        Raises IdempotencyKeyReused for another fingerprint, Conflict while in progress."""

    def finish_idempotent(self, scope: str, key: str, result: str) -> None:
        """Store the result of an owned key."""

    def abandon_idempotent(self, scope: str, key: str) -> None:
        """Forget an owned, unfinished key so that it may be retried."""


class AuthStore(Protocol):
    """Login links, sessions and rate-limit counters."""

    def save_login_link(self, link: LoginLink) -> None:
        """Insert a new login link."""

    def get_login_link(self, link_id: str) -> LoginLink | None:
        """A login link by id, or None."""

    def consume_login_link(self, link_id: str, now: datetime) -> LoginLink | None:
        """Atomic: mark an unused, unexpired, unrevoked link used; None if it was not."""

    def revoke_login_links(self, buyer_id: str, now: datetime) -> None:
        """Void every unused link of a buyer (a newer link replaces older ones)."""

    def save_session(self, session: BuyerSession) -> None:
        """Insert a session (keyed by the hash of its id)."""

    def get_session(self, id_hash: str) -> BuyerSession | None:
        """A session by the hash of its id, or None."""

    def revoke_session(self, id_hash: str, now: datetime) -> None:
        """Revoke a session so a replayed cookie is refused."""

    def revoke_buyer_sessions(self, buyer_id: str, now: datetime) -> None:
        """Revoke every live session of a buyer ("log out everywhere")."""

    def count_attempt(self, bucket: str, window: timedelta, now: datetime,
                      limit: int | None = None) -> int:
        """Atomic: record one attempt in ``bucket`` and return the count in the window.
        With ``limit``, an attempt beyond it is not recorded (``limit + 1`` is returned),
        so a flood adds no rows. Expired attempts of every bucket MUST be pruned, so that
        one-off buckets do not accumulate."""


class AuditStore(Protocol):
    """The append-only audit trail."""

    def add_audit_event(self, event: AuditEvent) -> None:
        """Append one audit event."""

    def list_audit_events(self, subject: str | None = None,
                          limit: int = 100) -> Sequence[AuditEvent]:
        """Audit events, newest first, optionally for one subject."""


class SyncStore(Protocol):
    """What the sync API and webhook intake need beyond the other stores."""

    def claim_revisions(self, kind: str, revisions: Mapping[str, int]) -> set[str]:
        """Atomic, inside the caller's ``atomic()``: for each record id, store its new
        revision if it is higher than the stored one (or none is stored); return the ids
        whose revision was stored. Equal or lower revisions are not claimed. Concurrent
        callers on the same ids MUST serialise (a row lock until commit), and locks MUST be
        taken in sorted id order so that batches cannot deadlock."""

    def record_delivery(self, source: str, delivery_id: str, event_type: str,
                        received_at: datetime) -> bool:
        """Atomic, inside the caller's ``atomic()``: note one webhook delivery; False if
        ``(source, delivery_id)`` was noted before (by any process; a concurrent insert
        waits for the other transaction's outcome)."""

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the current transaction commits (at once outside one);
        never if it rolls back. Used to emit events only for changes that landed."""


class OutboxStore(Protocol):
    """The durable mail outbox: a message is written in the transaction of the change that
    caused it, and sent after commit by whichever sender claims it first."""

    def enqueue_email(self, item: OutboxEmail) -> None:
        """Add one message (joins the caller's ``atomic()``)."""

    def claim_due_emails(self, now: datetime, limit: int,
                         until: datetime) -> Sequence[OutboxEmail]:
        """Atomic: the unsent messages with ``next_attempt_at <= now`` (oldest due first, at
        most ``limit``), each with ``attempts`` raised by one and ``next_attempt_at`` set
        to ``until``, as returned. Concurrent callers MUST never get the same message
        before ``until`` (SKIP LOCKED, or a serialised write, as for subscriptions)."""

    def mark_email_sent(self, item_id: str, now: datetime) -> None:
        """Record the send and erase the body (it may hold a live login link)."""

    def mark_email_failed(self, item_id: str, next_attempt_at: datetime | None,
                          error: str) -> None:
        """Record a failed try: due again at ``next_attempt_at``; None gives up (the
        body is erased)."""

    def get_outbox_email(self, item_id: str) -> OutboxEmail | None:
        """One message by id (for reports and tests)."""

    def prune_outbox(self, before: datetime) -> None:
        """Delete the messages created before ``before`` that are sent or given up (never
        one still pending)."""


class Store(BuyerStore, CatalogStore, SubscriptionStore, OrderStore, InvoiceStore,
            IdempotencyStore, AuthStore, AuditStore, SyncStore, OutboxStore, Protocol):
    """Everything the portal persists."""

    def atomic(self) -> AbstractContextManager[None]:
        """A transaction: writes inside land together or not at all. MAY nest."""


@runtime_checkable
class SubscriptionPlans(Protocol):
    """Optional for a Store: a buyer's subscriptions and their plans in one read."""

    def list_subscriptions_with_plans(
            self, buyer_id: str) -> Sequence[tuple[Subscription, Plan | None]]:
        """Exactly ``list_subscriptions(buyer_id)``, each with ``get_plan(its plan_id)``."""


@runtime_checkable
class BulkSyncWrites(Protocol):
    """Optional for a Store: the sync API's writes in few statements (a backfill of a
    million orders is bound by round trips). Each method, inside the caller's
    ``atomic()``, MUST do exactly what the one-record method does for each item."""

    def save_plans(self, plans: Sequence[Plan]) -> None:
        """``save_plan`` for each."""

    def save_buyers(self, buyers: Sequence[Buyer]) -> None:
        """``save_buyer`` for each (ids unique within the call)."""

    def save_orders(self, orders: Sequence[Order]) -> None:
        """``save_order`` for each."""

    def save_invoices(self, invoices: Sequence[Invoice]) -> None:
        """``save_invoice`` for each."""

    def issue_invoices(self, orders: Sequence[Order], prefix: str) -> None:
        """``issue_invoice(order, prefix, order.created_at)`` for each, in the given order
        (orders that have an invoice keep it and take no number)."""

    def replace_subscriptions(self, subscriptions: Sequence[Subscription]) -> None:
        """Insert each (version 1) or replace it whatever its stored version, bumping
        that version: the provider of record's state wins over the portal's."""


@runtime_checkable
class ReadScope(Protocol):
    """Optional for a Store: serve the reads of one page view from one connection."""

    def reading(self) -> AbstractContextManager[None]:
        """Reads inside MAY share a connection, but each MUST still see everything committed
        before it starts (no snapshot or cache spans two reads); ``atomic()`` inside MUST
        still be its own transaction. MAY nest."""


class Mailer(Protocol):
    """Hands the portal's email (login links) to a mail server; called by the outbox sender."""

    def send(self, message: EmailMessage) -> None:
        """Deliver or hand over one message; MUST raise DeliveryFailed on failure."""


class PaymentGateway(Protocol):
    """The standalone engine's payment provider. It MAY also have ``redirect_origins``
    (a tuple of ``scheme://host[:port]``): the origins of its card page, which the portal's
    CSP then admits as a form target (browsers apply ``form-action`` to the redirect that
    follows a form POST, so without it "Update payment method" goes nowhere)."""

    def charge(self, *, buyer_id: str, subscription_id: str | None, amount: Money,
               idempotency_key: str, description: str) -> ChargeResult:
        """Charge the buyer's saved payment method. MUST deduplicate on
        ``idempotency_key``. Raises PaymentDeclined or PaymentTimeout."""

    def payment_method_update_url(self, *, buyer_id: str, subscription_id: str,
                                  return_url: str) -> str:
        """A provider-hosted page to change the card; the portal never sees card data."""


@runtime_checkable
class RefundingGateway(Protocol):
    """Optional for a PaymentGateway: give back a charge the portal could not use (a plan
    change whose charge outlived its lease while another change was saved). Without it
    such a charge is logged and audited (``subscription.charge_orphaned``) for a manual
    refund."""

    def refund(self, *, reference: str, amount: Money, idempotency_key: str,
               reason: str) -> None:
        """Refund ``amount`` of the charge ``reference``; MUST deduplicate on the key."""


class BillingProvider(Protocol):
    """The billing system of record the portal acts through.

    Every action MUST deduplicate on ``action.idempotency_key`` (a retry after a timeout
    does nothing twice) and MUST raise ``ProviderUnavailable`` when the provider failed or
    did not answer, ``PaymentDeclined`` when a charge was refused, ``PlanChangeNotAllowed``
    when the provider refuses the change. It returns applied, scheduled or confirm (a
    redirect to the provider's page; the result then arrives by webhook).

    It MAY declare ``billing_details_editable = False`` (it keeps the buyer's billing
    details and has no way to change them from the portal) and ``billing_details_url``
    (its own page for them): the portal then shows the details read-only with that link.
    It MAY declare ``confirms_plan_changes = True`` (its ``change_plan`` answers confirm):
    the portal then presents its preview as an estimate and sends the buyer on.
    """

    name: str  # short and stable: names webhook sources and audit entries, e.g. "waffo"
    # Origins (scheme://host[:port]) the buyer's browser may be sent to after a form
    # POST (payment-method update, confirmations); the portal's CSP allows them.
    redirect_origins: tuple[str, ...]

    def quote_change(self, action: ProviderAction) -> PlanChangeQuote | None:
        """The provider's own price for a plan change, or None: the portal's proration
        preview is shown instead."""

    def change_plan(self, action: ProviderAction) -> ProviderOutcome:
        """Switch ``action.subscription`` to ``action.new_plan`` (upgrade now, downgrade
        at the period end, as the provider decides)."""

    def cancel(self, action: ProviderAction) -> ProviderOutcome:
        """Cancel at the period end; access continues until then."""

    def reactivate(self, action: ProviderAction) -> ProviderOutcome:
        """Undo a cancellation before the period ends."""

    def undo_scheduled_change(self, action: ProviderAction) -> ProviderOutcome:
        """Drop a plan change scheduled for the period end."""

    def payment_method_update_url(self, action: ProviderAction) -> str:
        """A provider-hosted page to change the card (under ``redirect_origins``); it
        sends the buyer back to ``action.return_url``."""

    def pay_open_invoice(self, order: Order, *, idempotency_key: str,
                         return_url: str) -> ProviderOutcome:
        """Charge (or send the buyer to pay, then back to ``return_url``) an order left
        unpaid, e.g. a failed renewal."""


class WebhookSource(Protocol):
    """Turns one raw webhook delivery of a provider into sync records."""

    name: str  # the path segment: POST <portal>/webhooks/<name>

    def parse(self, headers: Mapping[str, str], body: bytes,
              now: datetime) -> WebhookDelivery:
        """Verify the signature over the exact ``body`` bytes (header names lower-case)
        and decode it. MUST raise ``InvalidWebhook`` for a bad or stale signature or an
        unreadable body, before anything else happens."""


class EventSink(Protocol):
    """The merchant's receiver of ``PortalEvent``: see the events reference for each type."""

    def emit(self, event: PortalEvent) -> None:
        """Receive one business event, after the change it reports has committed.
        Errors are logged by the portal, not raised."""


__all__ = [
    "AuditStore", "AuthStore", "BillingProvider", "BulkSyncWrites", "BuyerStore",
    "CatalogStore", "Clock", "EventSink", "IdempotencyStore", "InvoiceStore", "Mailer",
    "OrderStore", "PaymentGateway", "ReadScope", "RefundingGateway", "Store", "SubscriptionPlans",
    "SubscriptionStore", "SyncStore", "TaxPolicy",
    "WebhookSource",
]
