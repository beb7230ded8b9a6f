"""Seed data for the demo portal: buyers in several countries, currencies and states.

Used by ``waffo-portal demo`` and by tests that want realistic data. Seeding is
idempotent: a store that already has the demo buyers is left as it is.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import attrs

from .clock import SystemClock
from .core.config import Branding, PortalConfig
from .core.models import (
    BillingDetails,
    BillingPeriod,
    Buyer,
    Cancellation,
    CancellationReason,
    LineItem,
    LineKind,
    Order,
    OrderKind,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Plan,
    Refund,
    Subscription,
    SubscriptionStatus,
    add_months,
)
from .core.money import Money
from .core.tax import inclusive_tax
from .mail.console import ConsoleMailer
from .payments import TestGateway
from .ports import Store
from .service import Portal

DEMO_BRANDING = Branding(
    name="Acme Cloud", support_email="support@acme.example", country="IE",
    address=("1 Dock Road", "Dublin D02 XY45", "Ireland"), tax_id="IE6388047V",
)

# The demo merchant's VAT table: EU standard rates as published for 2026 (check your
# own before going live; the portal never ships rates of its own), JP consumption tax,
# and 0 for the rest of the world (exports).
DEMO_TAX_RATES: dict[str, str] = {
    "AT": "20", "BE": "21", "BG": "20", "CY": "19", "CZ": "21", "DE": "19", "DK": "25",
    "EE": "24", "ES": "21", "FI": "25.5", "FR": "20", "GR": "24", "HR": "25", "HU": "27",
    "IE": "23", "IT": "22", "LT": "21", "LU": "17", "LV": "21", "MT": "18", "NL": "21",
    "PL": "23", "PT": "23", "RO": "21", "SE": "25", "SI": "22", "SK": "23",
    "JP": "10", "*": "0",
}

# (code, name, monthly price in minor units); a yearly plan is added at ten months' price.
_LADDER = (("basic", "Basic", 9), ("pro", "Pro", 29), ("team", "Team", 79))
_VISA = PaymentMethod("visa", "4242")
_UNIT = {"JPY": 100, "KRW": 1000, "THB": 30, "CNY": 7}


@attrs.frozen
class DemoAccount:
    email: str
    locale: str
    story: str  # what this buyer shows off in the demo
    status: SubscriptionStatus
    currency: str
    billing: BillingDetails
    tax_rate: str = "0"
    tax_note: str = ""
    card: PaymentMethod = _VISA

    @property
    def reverse_charge(self) -> bool:
        return self.tax_note == "Reverse charge"


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("ada@example.com", "en", "active monthly Pro, refunds, a failed payment",
                SubscriptionStatus.ACTIVE, "USD",
                BillingDetails("US", "US-CA", "94107", name="Ada Lovelace",
                               address_line1="500 Howard Street", address_line2="Suite 300",
                               city="San Francisco")),
    DemoAccount("kenji@example.jp", "ja", "business buyer in a free trial (JPY)",
                SubscriptionStatus.TRIALING, "JPY",
                BillingDetails("JP", "JP-13", "100-0005", "株式会社さくらソフト", "5835678256246",
                               True, name="山田 健二", address_line1="丸の内1-1-1",
                               city="千代田区"), "10", "", PaymentMethod("jcb", "0005")),
    DemoAccount("marie@example.fr", "fr", "EU business, reverse charge, canceling",
                SubscriptionStatus.CANCELING, "EUR",
                BillingDetails("FR", "", "75002", "Atelier Lumière SARL", "FR40303265045", True,
                               name="Marie Dubois", address_line1="12 rue de la Paix",
                               city="Paris"),
                "0", "Reverse charge", PaymentMethod("mastercard", "4444")),
    DemoAccount("hans@example.de", "de", "EU business, renewal declined: past due",
                SubscriptionStatus.PAST_DUE, "EUR",
                BillingDetails("DE", "", "10115", "Müller & Söhne GmbH", "DE136695976", True,
                               name="Hans Müller", address_line1="Invalidenstraße 117",
                               city="Berlin"),
                "0", "Reverse charge", PaymentMethod("visa", "0341")),
    DemoAccount("layla@example.sa", "ar", "Arabic, right to left, 15% VAT",
                SubscriptionStatus.ACTIVE, "SAR",
                BillingDetails("SA", "", "11564", "شركة النخيل للتقنية", "300000000000003", True,
                               name="ليلى العتيبي", address_line1="طريق الملك فهد 2233",
                               city="الرياض"),
                "15"),
    DemoAccount("somchai@example.th", "th", "Thai invoices, 7% VAT",
                SubscriptionStatus.ACTIVE, "THB",
                BillingDetails("TH", "TH-10", "10110", "บริษัท สยามซอฟต์ จำกัด", "", True,
                               name="สมชาย ใจดี", address_line1="99 ถนนสุขุมวิท",
                               city="เขตวัฒนา"), "7"),
    DemoAccount("li@example.cn", "zh-Hans", "Simplified Chinese, 6% VAT",
                SubscriptionStatus.ACTIVE, "CNY",
                BillingDetails("CN", "CN-SH", "200120", name="李明",
                               address_line1="世纪大道100号", city="浦东新区"), "6"),
)


def demo_plans(currency: str) -> list[Plan]:
    unit = _UNIT.get(currency, 1)
    scale = 10 ** {"JPY": 0, "KRW": 0}.get(currency, 2)
    group = f"acme-{currency.lower()}"
    plans = [Plan(f"{code}-{currency.lower()}", name, group,
                  Money(monthly * unit * scale, currency), BillingPeriod.MONTHLY)
             for code, name, monthly in _LADDER]
    plans.append(Plan(f"pro-yearly-{currency.lower()}", "Pro (yearly)", group,
                      Money(290 * unit * scale, currency), BillingPeriod.YEARLY))
    return plans


def seed_demo(store: Store, now: datetime, invoice_prefix: str = "INV-") -> list[DemoAccount]:
    """Fill ``store`` with the demo merchant's buyers; returns the accounts seeded."""
    seeded = []
    for currency in sorted({a.currency for a in DEMO_ACCOUNTS}):
        for plan in demo_plans(currency):
            store.save_plan(plan)
    for index, account in enumerate(DEMO_ACCOUNTS, start=1):
        if store.find_buyer_by_email(account.email) is not None:
            continue
        with store.atomic():
            _seed_account(store, account, f"demo{index}", now, invoice_prefix)
        seeded.append(account)
    return seeded


def _seed_account(store: Store, account: DemoAccount, buyer_id: str, now: datetime,
                  prefix: str) -> None:
    store.save_buyer(Buyer(buyer_id, account.email, account.locale,
                           account.email.split("@")[0].title()))
    store.save_billing_details(buyer_id, account.billing)
    plan = demo_plans(account.currency)[1]  # Pro
    subscription = _subscription(account, buyer_id, plan, now)
    store.save_subscription(subscription)
    paid_periods = 0 if account.status is SubscriptionStatus.TRIALING else 4
    start = subscription.current_period_start
    unpaid_now = 1 if account.status is SubscriptionStatus.PAST_DUE else 0
    for back in range(paid_periods):
        moment = add_months(start, -(back + unpaid_now))
        order = _order(account, buyer_id, f"{buyer_id}-r{back}", moment, plan.name, plan.price,
                       subscription.id, plan=plan)
        _pay(store, order, account, failed_first=(back == 0 and account.email.startswith("ada")))
    if account.status is SubscriptionStatus.PAST_DUE:
        _declined_renewal(store, account, buyer_id, plan, subscription)
    if account.email.startswith("ada"):
        _one_time_with_refund(store, account, buyer_id, now, prefix)
    for order in reversed(store.list_orders(buyer_id, 50)):  # numbers follow time
        if order.status is not OrderStatus.PENDING:
            store.issue_invoice(order, prefix, order.created_at)


def _subscription(account: DemoAccount, buyer_id: str, plan: Plan,
                  now: datetime) -> Subscription:
    start = now - timedelta(days=12)
    end = plan.period.advance(start)
    trial_end = end if account.status is SubscriptionStatus.TRIALING else None
    cancellation = None
    if account.status is SubscriptionStatus.CANCELING:
        cancellation = Cancellation(CancellationReason.TOO_EXPENSIVE, "Budget cuts this year",
                                    now - timedelta(days=2), end)
    return Subscription(f"sub-{buyer_id}", buyer_id, plan.id, account.status, start, end,
                        start - timedelta(days=130), trial_end=trial_end,
                        cancellation=cancellation, payment_method=account.card)


def _order(account: DemoAccount, buyer_id: str, order_id: str, at: datetime, description: str,
           price: Money, subscription_id: str | None,
           status: OrderStatus = OrderStatus.COMPLETED, plan: Plan | None = None) -> Order:
    """A gross-priced order like the portal's own; a plan's period is a structured line
    (worded in each document's language), anything else the merchant's text."""
    rate = Decimal(account.tax_rate)
    tax = inclusive_tax(price, rate)
    if plan is not None:
        line = LineItem("", 1, price, price, plan.id, at, plan.period.advance(at),
                        LineKind.RENEWAL, plan.name)
    else:
        line = LineItem(description, 1, price, price)
    return Order(order_id, buyer_id,
                 OrderKind.SUBSCRIPTION if subscription_id else OrderKind.ONE_TIME, status,
                 price.currency, (line,), price - tax, tax, price, rate, account.billing, at,
                 subscription_id, "" if account.reverse_charge else account.tax_note,
                 prices_include_tax=True, reverse_charge=account.reverse_charge)


def _pay(store: Store, order: Order, account: DemoAccount, *, failed_first: bool = False,
         refunds: Sequence[Refund] = ()) -> None:
    store.save_order(order)
    if failed_first:
        store.save_payment(Payment(f"{order.id}-p0", order.id, order.buyer_id, order.total,
                                   PaymentStatus.FAILED, order.created_at,
                                   PaymentMethod("visa", "0002"), "card_declined"))
    store.save_payment(Payment(f"{order.id}-p1", order.id, order.buyer_id, order.total,
                               PaymentStatus.SUCCEEDED, order.created_at + timedelta(minutes=3),
                               account.card, refunds=tuple(refunds),
                               provider_reference=f"ch_demo_{order.id}"))


def _declined_renewal(store: Store, account: DemoAccount, buyer_id: str, plan: Plan,
                      subscription: Subscription) -> None:
    order = _order(account, buyer_id, f"{buyer_id}-declined", subscription.current_period_start,
                   plan.name, plan.price, subscription.id, OrderStatus.PENDING, plan=plan)
    store.save_order(order)
    store.save_payment(Payment(f"{order.id}-p0", order.id, buyer_id, order.total,
                               PaymentStatus.FAILED, order.created_at, account.card,
                               "insufficient_funds"))


def _one_time_with_refund(store: Store, account: DemoAccount, buyer_id: str, now: datetime,
                          prefix: str) -> None:
    price = Money(4900, account.currency)
    order = _order(account, buyer_id, f"{buyer_id}-setup", now - timedelta(days=40),
                   "Onboarding workshop", price, None)
    refund = Refund(f"{order.id}-re1", Money.from_fraction(Fraction(price.amount, 2),
                                                           price.currency),
                    now - timedelta(days=35), "Half the session was rescheduled")
    _pay(store, order, account, refunds=(refund,))


def demo_portal(database: str | None = None, port: int = 8000,
                host: str = "127.0.0.1") -> Portal:
    """The demo merchant's portal: SQLite file, console mailer, test gateway, seeded data.

    Also usable as ``--app waffo_portal.demo:demo_portal`` for the CLI commands.
    """
    from .stores.sql import SqlStore  # the demo is the one place the core picks a store

    path = database or os.environ.get("WAFFO_DEMO_DATABASE", "demo.db")
    store = SqlStore.from_url(f"sqlite:///{path}", migrate=True)
    clock = SystemClock()
    seed_demo(store, clock.now())
    return Portal(demo_config(port, host), store=store, mailer=ConsoleMailer(),
                  gateway=TestGateway(), clock=clock)


def demo_config(port: int = 8000, host: str = "127.0.0.1") -> PortalConfig:
    """The demo merchant's portal settings: plain http on ``host:port``, under /portal."""
    secret = os.environ.get("WAFFO_DEMO_SECRET") or secrets.token_urlsafe(32)
    return PortalConfig(
        secret_keys=(secret,), base_url=f"http://{host}:{port}/portal",
        branding=attrs.evolve(DEMO_BRANDING, merchant_url="/"),
        allowed_return_hosts=(host, "127.0.0.1", "localhost"),
        cookie_secure=False, cookie_name="waffo_portal_demo", tax_rates=DEMO_TAX_RATES,
    )
