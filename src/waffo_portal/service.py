"""``Portal``: the one object a merchant builds; every use case hangs off it.

The facade only wires ports into use cases (``waffo_portal.use_cases``); the
rules live there and in the pure modules below them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime

from .clock import SystemClock
from .core import billing_details as billing_rules
from .core.auth_models import BuyerSession
from .core.billing_details import TaxLine
from .core.config import PortalConfig
from .core.models import BillingDetails, Invoice, Order, Payment, Plan, Subscription
from .core.proration import PlanChangeQuote
from .ports import Clock, EventSink, Mailer, PaymentGateway, ReadScope, Store, SubscriptionPlans
from .use_cases import auth, invoices, renewals, reports, subscriptions
from .use_cases import billing_details as billing
from .use_cases.auth import LoginPreview, NewSession
from .use_cases.context import Deps, NullEventSink
from .use_cases.renewals import DueReport
from .use_cases.reports import CancellationReport
from .use_cases.subscriptions import ChangeOutcome


class Portal:
    def __init__(self, config: PortalConfig, *, store: Store, mailer: Mailer,
                 gateway: PaymentGateway, clock: Clock | None = None,
                 events: EventSink | None = None) -> None:
        self.deps = Deps(config=config.validate(), store=store, mailer=mailer, gateway=gateway,
                         clock=clock or SystemClock(), events=events or NullEventSink())
        # Decided once: an isinstance() against a Protocol costs ~15 us per call.
        self._reading: Callable[[], AbstractContextManager[None]] = (
            store.reading if isinstance(store, ReadScope) else nullcontext)
        self._with_plans: Callable[[str], Sequence[tuple[Subscription, Plan | None]]] | None = (
            store.list_subscriptions_with_plans if isinstance(store, SubscriptionPlans)
            else None)

    @property
    def config(self) -> PortalConfig:
        return self.deps.config

    @property
    def store(self) -> Store:
        return self.deps.store

    def reading(self) -> AbstractContextManager[None]:
        """A block whose store reads may share one connection (a page view), if the store
        offers that (``ReadScope``); otherwise nothing changes."""
        return self._reading()

    # Login and sessions (see use_cases/auth.py)
    def request_login_link(self, email: str, *, client_ip: str, locale: str | None = None,
                           return_to: str | None = None) -> None:
        auth.request_login_link(self.deps, email, client_ip, locale, return_to)

    def peek_login_link(self, token: str) -> LoginPreview:
        return auth.peek_login_link(self.deps, token)

    def confirm_login(self, token: str, previous_session_id: str | None = None) -> NewSession:
        return auth.confirm_login(self.deps, token, previous_session_id)

    def authenticate(self, session_id: str | None) -> BuyerSession:
        return auth.authenticate(self.deps, session_id)

    def logout(self, session_id: str | None) -> None:
        auth.logout(self.deps, session_id)

    def create_login_link(self, buyer_id: str, *, return_url: str = "") -> str:
        return auth.create_login_link(self.deps, buyer_id, return_url)

    def make_csrf_token(self, binding: str) -> str:
        return self.deps.tokens.make_csrf_token(binding)

    def check_csrf_token(self, token: str, binding: str) -> None:
        self.deps.tokens.check_csrf_token(token, binding)

    # Subscriptions
    def list_subscriptions(self, buyer_id: str) -> Sequence[Subscription]:
        return self.store.list_subscriptions(buyer_id)

    def list_subscriptions_with_plans(
            self, buyer_id: str) -> Sequence[tuple[Subscription, Plan | None]]:
        """The buyer's subscriptions, newest first, each with its plan: one read if the
        store offers it (``SubscriptionPlans``), else one per distinct plan."""
        if self._with_plans is not None:
            return self._with_plans(buyer_id)
        plans: dict[str, Plan | None] = {}
        found = []
        for subscription in self.store.list_subscriptions(buyer_id):
            if subscription.plan_id not in plans:
                plans[subscription.plan_id] = self.store.get_plan(subscription.plan_id)
            found.append((subscription, plans[subscription.plan_id]))
        return found

    def get_subscription(self, buyer_id: str, subscription_id: str) -> Subscription:
        return subscriptions.get_owned_subscription(self.deps, buyer_id, subscription_id)

    def plan_options(self, buyer_id: str, subscription_id: str) -> list[Plan]:
        return subscriptions.plan_options(self.deps, buyer_id, subscription_id)

    def quote_plan_change(self, buyer_id: str, subscription_id: str,
                          new_plan_id: str) -> PlanChangeQuote:
        return subscriptions.quote_change(self.deps, buyer_id, subscription_id, new_plan_id)

    def change_plan(self, buyer_id: str, subscription_id: str, new_plan_id: str, *,
                    idempotency_key: str) -> ChangeOutcome:
        return subscriptions.change_plan(self.deps, buyer_id, subscription_id, new_plan_id,
                                         idempotency_key)

    def cancel_subscription(self, buyer_id: str, subscription_id: str, *,
                            reason: str | None = None, comment: str = "",
                            idempotency_key: str) -> ChangeOutcome:
        return subscriptions.cancel(self.deps, buyer_id, subscription_id, reason, comment,
                                    idempotency_key)

    def reactivate_subscription(self, buyer_id: str, subscription_id: str, *,
                                idempotency_key: str) -> ChangeOutcome:
        return subscriptions.reactivate(self.deps, buyer_id, subscription_id, idempotency_key)

    def payment_method_update_url(self, buyer_id: str, subscription_id: str, *,
                                  return_url: str) -> str:
        """The provider's page to change the card of one of the buyer's subscriptions."""
        owned = self.get_subscription(buyer_id, subscription_id)
        return self.deps.gateway.payment_method_update_url(
            buyer_id=buyer_id, subscription_id=owned.id, return_url=return_url)

    def apply_due(self, now: datetime | None = None) -> DueReport:
        return renewals.apply_due(self.deps, now)

    def cancellation_report(self, since: datetime, until: datetime) -> CancellationReport:
        return reports.cancellation_report(self.deps, since, until)

    # Orders
    def list_orders(self, buyer_id: str, limit: int = 20,
                    before: tuple[datetime, str] | None = None) -> Sequence[Order]:
        return self.store.list_orders(buyer_id, limit, before)

    def get_order(self, buyer_id: str, order_id: str) -> Order:
        return invoices.owned_order(self.deps, buyer_id, order_id)

    def list_payments(self, buyer_id: str, order_id: str) -> Sequence[Payment]:
        return self.store.list_payments(self.get_order(buyer_id, order_id).id)

    # Billing details
    def get_billing_details(self, buyer_id: str) -> BillingDetails | None:
        return billing.get_billing_details(self.deps, buyer_id)

    def update_billing_details(self, buyer_id: str, raw: Mapping[str, str], *,
                               revise_invoice_order_id: str | None = None) -> BillingDetails:
        return billing.update_billing_details(self.deps, buyer_id, raw,
                                              revise_invoice_order_id=revise_invoice_order_id)

    def tax_summary(self, buyer_id: str, limit: int = 20) -> list[TaxLine]:
        return billing.tax_summary(self.store, buyer_id, limit)

    def countries(self, locale: str | None = None) -> list[tuple[str, str]]:
        return billing_rules.countries(locale or self.config.default_locale)

    def subdivisions(self, country: str, locale: str | None = None) -> list[tuple[str, str]]:
        return billing_rules.subdivisions(country, locale or self.config.default_locale)

    # Invoices
    def get_invoice(self, buyer_id: str, order_id: str) -> Invoice:
        return invoices.invoice_for_order(self.deps, buyer_id, order_id)

    def render_invoice_pdf(self, buyer_id: str, order_id: str, locale: str | None = None,
                           receipt: bool = False) -> bytes:
        return invoices.render_invoice(self.deps, buyer_id, order_id, locale=locale,
                                       receipt=receipt)

    def render_invoice_html(self, buyer_id: str, order_id: str, locale: str | None = None,
                            receipt: bool = False) -> str:
        return invoices.render_invoice(self.deps, buyer_id, order_id, locale=locale,
                                       receipt=receipt, fmt="html").decode()
