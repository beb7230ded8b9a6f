"""``Portal``: the one object a merchant builds; every use case hangs off it.

The facade only wires ports into use cases (``waffo_portal.use_cases``); the
rules live there and in the pure core below them. ``web/``, the CLI and the
framework integrations call nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime

from .clock import SystemClock
from .core import billing_details as billing_rules
from .core.billing_details import TaxLine
from .core.config import PortalConfig
from .core.exceptions import ConfigurationError
from .core.models import BillingDetails, Buyer, Invoice, Order, Payment, Plan, Subscription
from .core.proration import PlanChangeQuote
from .core.provider import ProviderOutcome
from .login_facade import LoginFacade
from .ports import (
    BillingProvider,
    Clock,
    EventSink,
    Mailer,
    PaymentGateway,
    ReadScope,
    Store,
    SubscriptionPlans,
    TaxPolicy,
    WebhookSource,
)
from .sync_api import Sync
from .use_cases import (
    actions,
    invoices,
    orders,
    outbox,
    renewals,
    reports,
    subscriptions,
)
from .use_cases import billing_details as billing
from .use_cases.context import Deps, NoGateway, NullEventSink
from .use_cases.outbox import MailReport
from .use_cases.renewals import DueReport
from .use_cases.reports import CancellationReport
from .use_cases.subscriptions import ChangeOutcome


class Portal(LoginFacade):
    """The customer portal: every buyer-facing and merchant-facing use case.

    Build one per process from a validated ``PortalConfig`` and the ports: a Store, a
    Mailer, and either a PaymentGateway (standalone: the portal is the billing engine) or a
    BillingProvider (the provider of record decides; see docs/providers.md), optionally
    webhook sources, a Clock and an EventSink. Every method that takes
    a ``buyer_id`` acts only on that buyer's own data: another buyer's object is
    ``NotFound``, exactly like a missing one. Methods that change money or state take
    an ``idempotency_key`` (16-128 characters of ``A-Za-z0-9_-``): repeating a call with the
    same key returns the first result and charges nothing twice.

    Login and sessions (emailed links, the merchant's hand-off, portal links for emails,
    logout) come from ``LoginFacade``.
    """

    def __init__(self, config: PortalConfig, *, store: Store, mailer: Mailer,
                 gateway: PaymentGateway | None = None, provider: BillingProvider | None = None,
                 webhooks: Sequence[WebhookSource] = (), clock: Clock | None = None,
                 events: EventSink | None = None, tax_policy: TaxPolicy | None = None) -> None:
        if gateway is None and provider is None:
            raise ConfigurationError(
                "standalone mode charges through a PaymentGateway: pass gateway=, or "
                "provider= to act through your billing provider", setting="gateway")
        config = config.validate()
        if provider is None and tax_policy is None:
            tax_policy = orders.default_tax_policy(config)
        self._mail_sender = outbox.sender_for(config.mail_delivery, self.deliver_mail)
        self._deps = Deps(config=config, store=store, mailer=mailer,
                          gateway=gateway or NoGateway(), clock=clock or SystemClock(),
                          events=events or NullEventSink(), provider=provider,
                          tax=None if provider is not None else tax_policy,
                          mail_sender=self._mail_sender)
        sources = {source.name: source for source in webhooks}
        if len(sources) != len(webhooks):
            raise ConfigurationError("two webhook sources share a name", setting="webhooks")
        self._sync = Sync(self._deps, sources)
        if isinstance(self._mail_sender, outbox.BackgroundSender):
            self._mail_sender.start()  # at once: it also sends what a crash left behind
        self._redirect_origins = actions.provider(self._deps).redirect_origins
        # Decided once: an isinstance() against a Protocol costs ~15 us per call.
        self._reading: Callable[[], AbstractContextManager[None]] = (
            store.reading if isinstance(store, ReadScope) else nullcontext)
        self._with_plans: Callable[[str], Sequence[tuple[Subscription, Plan | None]]] | None = (
            store.list_subscriptions_with_plans if isinstance(store, SubscriptionPlans)
            else None)

    @property
    def sync(self) -> Sync:
        """The sync API and webhook intake for the billing provider of record."""
        return self._sync

    @property
    def provider_mode(self) -> bool:
        """True when a billing provider of record decides (the portal never charges or
        renews on its own); False in standalone mode."""
        return self._deps.provider is not None

    @property
    def provider(self) -> BillingProvider | None:
        """The billing provider of record given at start-up (None: standalone)."""
        return self._deps.provider

    @property
    def plan_changes_confirmed_at_provider(self) -> bool:
        """True when the provider has the buyer confirm plan changes on its own page (it
        declares ``confirms_plan_changes``): the portal's preview is then an estimate."""
        return bool(getattr(self._deps.provider, "confirms_plan_changes", False))

    @property
    def billing_details_editable(self) -> bool:
        """False when the provider of record keeps the billing details and has no way to
        change them from here (Waffo): the portal shows them read-only, with a link to
        ``billing_details_url``."""
        return billing.editable(self._deps)

    @property
    def billing_details_url(self) -> str:
        """The provider's page where the buyer edits billing details ("" if none)."""
        return str(getattr(self._deps.provider, "billing_details_url", ""))

    @property
    def redirect_origins(self) -> tuple[str, ...]:
        """Origins the buyer's browser may be sent to after a form (the provider's
        pages); the web layer's CSP allows them as form targets."""
        return self._redirect_origins

    @property
    def config(self) -> PortalConfig:
        """The validated, frozen configuration."""
        return self._deps.config

    def now(self) -> datetime:
        """The current time on the portal's clock (timezone-aware UTC)."""
        return self._deps.clock.now()

    def reading(self) -> AbstractContextManager[None]:
        """A block whose store reads may share one connection (a page view), if the store
        offers that (``ReadScope``); otherwise nothing changes."""
        return self._reading()

    # Mail
    def deliver_mail(self, now: datetime | None = None, limit: int = 100) -> MailReport:
        """Send the outbox's due mail once (at most ``limit``): for ``waffo-portal
        worker``, a cron job or your task queue. Safe from several processes at once;
        at least once (a crash between send and record means a resend, never a loss)."""
        return outbox.deliver_due(self._deps, now, limit)

    def close(self) -> None:
        """Stop the background mail sender, if any (mail left is sent by the next one)."""
        if isinstance(self._mail_sender, outbox.BackgroundSender):
            self._mail_sender.stop()

    # Buyers and plans
    def find_buyer(self, buyer_id: str) -> Buyer | None:
        """The buyer with this id, or None."""
        return self._deps.store.get_buyer(buyer_id)

    def find_buyer_by_email(self, email: str) -> Buyer | None:
        """The buyer with this email (case and surrounding spaces ignored), or None."""
        return self._deps.store.find_buyer_by_email(email)

    def find_plan(self, plan_id: str) -> Plan | None:
        """The plan with this id, or None."""
        return self._deps.store.get_plan(plan_id)

    # Subscriptions
    def list_subscriptions(self, buyer_id: str) -> Sequence[Subscription]:
        """The buyer's subscriptions, newest first."""
        return self._deps.store.list_subscriptions(buyer_id)

    def list_subscriptions_with_plans(
            self, buyer_id: str) -> Sequence[tuple[Subscription, Plan | None]]:
        """The buyer's subscriptions, newest first, each with its plan: one read if the
        store offers it (``SubscriptionPlans``), else one per distinct plan."""
        if self._with_plans is not None:
            return self._with_plans(buyer_id)
        store = self._deps.store
        plans: dict[str, Plan | None] = {}
        found = []
        for subscription in store.list_subscriptions(buyer_id):
            if subscription.plan_id not in plans:
                plans[subscription.plan_id] = store.get_plan(subscription.plan_id)
            found.append((subscription, plans[subscription.plan_id]))
        return found

    def get_subscription(self, buyer_id: str, subscription_id: str) -> Subscription:
        """One of the buyer's subscriptions. Raises NotFound."""
        return subscriptions.get_owned_subscription(self._deps, buyer_id, subscription_id)

    def plan_options(self, buyer_id: str, subscription_id: str) -> list[Plan]:
        """The other plans of the subscription's product group, cheapest first.
        Raises NotFound."""
        return subscriptions.plan_options(self._deps, buyer_id, subscription_id)

    def quote_plan_change(self, buyer_id: str, subscription_id: str,
                          new_plan_id: str) -> PlanChangeQuote:
        """What a change to ``new_plan_id`` would cost now (upgrade: the prorated difference)
        or from the period end (downgrade); changes nothing. Raises NotFound,
        ValidationError (``plan_id``) or PlanChangeNotAllowed."""
        return actions.quote_change(self._deps, buyer_id, subscription_id, new_plan_id)

    def change_plan(self, buyer_id: str, subscription_id: str, new_plan_id: str, *,
                    idempotency_key: str, return_url: str = "") -> ChangeOutcome:
        """Upgrade now (the prorated difference is charged, then the plan switches) or
        schedule a downgrade for the period end; with a provider, as the provider decides
        (``ChangeOutcome.status`` "confirm": send the buyer to ``redirect_url``).
        Idempotent on ``idempotency_key``. Raises NotFound, ValidationError,
        PlanChangeNotAllowed, Conflict (another change in progress, or the key reused
        with other parameters), PaymentDeclined (nothing changed), PaymentTimeout or
        ProviderUnavailable (retry with the same key: charged at most once).
        ``return_url``: where the provider's confirmation page sends the buyer back."""
        return actions.change_plan(self._deps, buyer_id, subscription_id, new_plan_id,
                                   idempotency_key, return_url)

    def cancel_subscription(self, buyer_id: str, subscription_id: str, *,
                            reason: str | None = None, comment: str = "",
                            idempotency_key: str) -> ChangeOutcome:
        """Cancel at the period end (access until then), with an optional reason from
        ``CancellationReason`` and a comment; drops a scheduled change. Idempotent on
        ``idempotency_key``. Raises NotFound, ValidationError (``reason``, ``comment``),
        PlanChangeNotAllowed (already canceled or ended) or Conflict."""
        return actions.cancel(self._deps, buyer_id, subscription_id, reason, comment,
                              idempotency_key)

    def reactivate_subscription(self, buyer_id: str, subscription_id: str, *,
                                idempotency_key: str) -> ChangeOutcome:
        """Undo a cancellation before the period ends; nothing is charged. Idempotent on
        ``idempotency_key``. Raises NotFound, PlanChangeNotAllowed or Conflict."""
        return actions.reactivate(self._deps, buyer_id, subscription_id, idempotency_key)

    def undo_scheduled_change(self, buyer_id: str, subscription_id: str, *,
                              idempotency_key: str, return_url: str = "") -> ChangeOutcome:
        """Drop a downgrade scheduled for the period end (the current plan renews).
        Idempotent on ``idempotency_key``. Raises NotFound, PlanChangeNotAllowed
        (``change.nothing_scheduled``) or Conflict."""
        return actions.undo_scheduled_change(self._deps, buyer_id, subscription_id,
                                             idempotency_key, return_url)

    def pay_order(self, buyer_id: str, order_id: str, *, idempotency_key: str,
                  return_url: str = "") -> ProviderOutcome:
        """Pay one of the buyer's unpaid orders (e.g. a failed renewal): charged now, or
        status "confirm" with the provider's page in ``redirect_url``. Raises NotFound,
        PlanChangeNotAllowed (``order.not_open``), PaymentDeclined, PaymentTimeout or
        ProviderUnavailable; a retry with the same key charges at most once."""
        return actions.pay_order(self._deps, buyer_id, order_id, idempotency_key, return_url)

    def open_renewal(self, buyer_id: str, subscription_id: str) -> Order | None:
        """The unpaid order a past-due subscription of the buyer owes (its declined
        renewal), or None: not past due, or the portal holds no such order. NotFound for
        a subscription that is not the buyer's."""
        subscription = subscriptions.get_owned_subscription(self._deps, buyer_id,
                                                            subscription_id)
        return orders.find_open_renewal(self._deps, subscription)

    def payment_method_update_url(self, buyer_id: str, subscription_id: str, *,
                                  return_url: str) -> str:
        """The provider's page to change the card of one of the buyer's subscriptions; the
        portal never sees card data. Raises NotFound."""
        return actions.payment_method_update_url(self._deps, buyer_id, subscription_id,
                                                 return_url)

    def apply_due(self, now: datetime | None = None, *,
                  on_progress: Callable[[Mapping[str, int]], None] | None = None) -> DueReport:
        """Apply every transition due at ``now`` (default: the clock): renewals, scheduled
        downgrades, cancellations, past due -> expired. Safe to run from several processes
        at once (subscriptions are leased); ``on_progress`` gets the running counts after
        each batch. Returns the counts per outcome; errors are counted, not raised.
        With a provider of record this does nothing: the provider renews, and its
        webhooks bring the new periods."""
        if self.provider_mode:
            return DueReport({})
        return renewals.apply_due(self._deps, now, on_progress=on_progress)

    def cancellation_report(self, since: datetime, until: datetime) -> CancellationReport:
        """Why buyers cancel: the standing cancellations requested in [since, until).
        Raises ValidationError (``until``) if the range is empty or reversed."""
        return reports.cancellation_report(self._deps, since, until)

    # Orders
    def list_orders(self, buyer_id: str, limit: int = 20,
                    before: tuple[datetime, str] | None = None) -> Sequence[Order]:
        """The buyer's orders, newest first; pass the last one's ``(created_at, id)`` as
        ``before`` for the next page."""
        return self._deps.store.list_orders(buyer_id, limit, before)

    def get_order(self, buyer_id: str, order_id: str) -> Order:
        """One of the buyer's orders. Raises NotFound."""
        return invoices.owned_order(self._deps, buyer_id, order_id)

    def list_payments(self, buyer_id: str, order_id: str) -> Sequence[Payment]:
        """The payments of one of the buyer's orders, oldest first. Raises NotFound."""
        return self._deps.store.list_payments(self.get_order(buyer_id, order_id).id)

    # Billing details
    def get_billing_details(self, buyer_id: str) -> BillingDetails | None:
        """The buyer's current billing details, or None if never set."""
        return billing.get_billing_details(self._deps, buyer_id)

    def update_billing_details(self, buyer_id: str, raw: Mapping[str, str], *,
                               revise_invoice_order_id: str | None = None) -> BillingDetails:
        """Validate and save the buyer's billing details (and, from an invoice page, revise
        that invoice: same number, revision + 1), all in one transaction. Raises
        ValidationError naming every bad field, or NotFound for the invoice."""
        return billing.update_billing_details(self._deps, buyer_id, raw,
                                              revise_invoice_order_id=revise_invoice_order_id)

    def tax_summary(self, buyer_id: str, limit: int = 20) -> list[TaxLine]:
        """The buyer's most recent charged orders (completed or refunded) with their tax,
        newest first; ``limit`` is capped at 100."""
        return billing.tax_summary(self._deps.store, buyer_id, limit)

    def countries(self, locale: str | None = None) -> list[tuple[str, str]]:
        """(ISO code, name in ``locale``) of every country, sorted by name."""
        return billing_rules.countries(locale or self.config.default_locale)

    def subdivisions(self, country: str, locale: str | None = None) -> list[tuple[str, str]]:
        """(ISO 3166-2 code, name) of a country's states or provinces, sorted by name."""
        return billing_rules.subdivisions(country, locale or self.config.default_locale)

    # Invoices
    def get_invoice(self, buyer_id: str, order_id: str) -> Invoice:
        """The invoice of one of the buyer's orders. Invoices are numbered when the order
        is paid, never here. Raises NotFound, or Conflict (``invoice.not_issued``) for an
        order that was not charged."""
        return invoices.invoice_for_order(self._deps, buyer_id, order_id)

    def issue_invoice(self, order_id: str) -> Invoice:
        """Merchant side: number a paid or refunded order that has no invoice (one paid
        before numbering moved to payment time), dated when it was paid. Idempotent;
        Conflict (``invoice.not_issued``) for an order that was not charged."""
        return invoices.issue_invoice(self._deps, order_id)

    def render_invoice_pdf(self, buyer_id: str, order_id: str, locale: str | None = None,
                           receipt: bool = False, *, wait: bool = True) -> bytes:
        """The invoice (or receipt) of one of the buyer's orders as PDF bytes, in
        ``locale`` (default: the buyer's). Raises NotFound, MissingGlyphs, or Conflict:
        ``invoice.not_issued`` (not paid yet), ``invoice.no_receipt`` (a receipt of an
        order that took no money). ``wait=False`` (the web download): a document of more
        than ``BACKGROUND_LINE_ITEMS`` lines not rendered yet is drawn on a worker
        process, and DocumentPreparing says to ask again."""
        return invoices.render_invoice(self._deps, buyer_id, order_id, locale=locale,
                                       receipt=receipt, wait=wait)

    def render_invoice_html(self, buyer_id: str, order_id: str, locale: str | None = None,
                            receipt: bool = False) -> str:
        """The same document as :meth:`render_invoice_pdf`, as HTML. Raises NotFound."""
        return invoices.render_invoice(self._deps, buyer_id, order_id, locale=locale,
                                       receipt=receipt, fmt="html").decode()
