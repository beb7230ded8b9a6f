"""Ready-made portals and sample records for tests, examples and the demo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs

from ..clock import FrozenClock
from ..core.config import Branding, PortalConfig
from ..core.models import (
    BillingDetails,
    BillingPeriod,
    Buyer,
    LineItem,
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
)
from ..core.money import Money
from ..mail.memory import MemoryMailer
from ..payments import TestGateway
from ..ports import EventSink, Store
from ..service import Portal
from ..stores.memory import MemoryStore

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
TEST_SELLER = Branding(country="US",  # the default name, "Merchant"
                       address=("1 Market Street", "San Francisco, CA 94105"))
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def test_config(**overrides: object) -> PortalConfig:
    values: dict[str, object] = {
        "secret_keys": (TEST_SECRET,), "base_url": "https://shop.example/billing",
        "allowed_return_hosts": ("shop.example",),
        # A US merchant selling without sales tax: tests that are about tax set their own.
        "branding": TEST_SELLER, "tax_rates": {"US": "0", "*": "0"},
        # Mail is sent right after the commit, so a test reads it at once (the background
        # sender and the worker have their own tests).
        "mail_delivery": "inline",
    }
    values.update(overrides)
    return PortalConfig(**values)  # type: ignore[arg-type]


test_config.__test__ = False  # type: ignore[attr-defined]


def sample_plans(currency: str = "USD") -> list[Plan]:
    exponent = {"JPY": 0, "KWD": 3}.get(currency, 2)
    scale = 10**exponent
    return [
        Plan(f"basic-{currency.lower()}", "Basic", f"app-{currency.lower()}",
             Money(5 * scale, currency), BillingPeriod.MONTHLY),
        Plan(f"pro-{currency.lower()}", "Pro", f"app-{currency.lower()}",
             Money(20 * scale, currency), BillingPeriod.MONTHLY),
        Plan(f"pro-yearly-{currency.lower()}", "Pro yearly", f"app-{currency.lower()}",
             Money(200 * scale, currency), BillingPeriod.YEARLY),
        Plan(f"team-{currency.lower()}", "Team", f"app-{currency.lower()}",
             Money(50 * scale, currency), BillingPeriod.MONTHLY),
    ]


def sample_subscription(buyer_id: str, plan: Plan, start: datetime = EPOCH,
                        status: SubscriptionStatus = SubscriptionStatus.ACTIVE,
                        subscription_id: str = "sub_1") -> Subscription:
    return Subscription(
        id=subscription_id, buyer_id=buyer_id, plan_id=plan.id, status=status,
        current_period_start=start, current_period_end=plan.period.advance(start),
        created_at=start, payment_method=PaymentMethod("visa", "4242"),
    )


def sample_order(buyer_id: str, plan: Plan, created_at: datetime, order_id: str,
                 subscription_id: str | None = None) -> Order:
    price = plan.price
    return Order(
        id=order_id, buyer_id=buyer_id,
        kind=OrderKind.SUBSCRIPTION if subscription_id else OrderKind.ONE_TIME,
        status=OrderStatus.COMPLETED, currency=price.currency,
        line_items=(LineItem(plan.name, 1, price, price, plan.id),),
        subtotal=price, tax=Money.zero(price.currency), total=price, tax_rate=Decimal(0),
        billing_details=BillingDetails(country="US", state="US-CA", postal_code="94107"),
        created_at=created_at, subscription_id=subscription_id,
    )


@attrs.define
class PortalKit:
    """A portal on in-memory parts, with handles on each part for assertions."""

    portal: Portal
    store: Store
    mailer: MemoryMailer
    gateway: TestGateway
    clock: FrozenClock
    buyer: Buyer
    other_buyer: Buyer
    plans: dict[str, Plan]
    subscription: Subscription


def make_kit(store: Store | None = None, *, currency: str = "USD",
             config: PortalConfig | None = None, events: EventSink | None = None) -> PortalKit:
    """Seed two buyers, a plan ladder and one active monthly subscription for ``buyer``."""
    store = store if store is not None else MemoryStore()
    clock = FrozenClock(EPOCH + timedelta(days=1))
    mailer, gateway = MemoryMailer(), TestGateway()
    buyer = Buyer("buyer_1", "ada@example.com", "en", "Ada Lovelace")
    other = Buyer("buyer_2", "bob@example.com", "de", "Bob Builder")
    for person in (buyer, other):
        store.save_buyer(person)
    plans = {p.id.rsplit("-", 1)[0]: p for p in sample_plans(currency)}
    for plan in plans.values():
        store.save_plan(plan)
    subscription = store.save_subscription(sample_subscription(buyer.id, plans["basic"]))
    portal = Portal(config or test_config(), store=store, mailer=mailer, gateway=gateway,
                    clock=clock, events=events)
    return PortalKit(portal, store, mailer, gateway, clock, buyer, other, plans, subscription)


def seed_history(kit: PortalKit, orders: int = 3) -> list[Order]:
    """Give ``kit.buyer`` ``orders`` paid orders an hour apart (newest last), with payments
    (the newest has a failed attempt first and a partial refund), and ``kit.other_buyer``
    one order; returns the buyer's orders oldest first."""
    plan = kit.plans["basic"]
    made: list[Order] = []
    for index in range(orders):
        order = sample_order(kit.buyer.id, plan, EPOCH + timedelta(hours=index),
                             f"ord_{index + 1}", kit.subscription.id)
        kit.store.save_order(order)
        kit.store.save_payment(Payment(
            f"pay_{index + 1}", order.id, kit.buyer.id, order.total, PaymentStatus.SUCCEEDED,
            order.created_at, method=PaymentMethod("visa", "4242")))
        made.append(order)
    newest = made[-1]
    kit.store.save_payment(Payment(
        "pay_failed", newest.id, kit.buyer.id, newest.total, PaymentStatus.FAILED,
        newest.created_at - timedelta(minutes=1), method=PaymentMethod("mastercard", "5454"),
        failure_reason="insufficient_funds"))
    refund = Refund("re_1", Money(100, newest.currency), newest.created_at + timedelta(days=1),
                    "goodwill")
    kit.store.save_payment(Payment(
        f"pay_{orders}", newest.id, kit.buyer.id, newest.total, PaymentStatus.SUCCEEDED,
        newest.created_at, method=PaymentMethod("visa", "4242"), refunds=(refund,)))
    for order in made:  # paid orders are numbered at payment, oldest first
        kit.store.issue_invoice(order, kit.portal.config.invoice_prefix, order.created_at)
    kit.store.save_order(sample_order(kit.other_buyer.id, plan, EPOCH, "ord_other"))
    return made
