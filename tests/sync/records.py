"""Sample sync records: one buyer's complete history as a provider would send it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from waffo_portal.core.models import (
    BillingDetails,
    BillingPeriod,
    Buyer,
    Invoice,
    OrderKind,
    OrderStatus,
    Payment,
    PaymentStatus,
    Plan,
    Refund,
    Subscription,
    SubscriptionStatus,
)
from waffo_portal.core.money import Money
from waffo_portal.core.sync import (
    BillingDetailsRecord,
    BuyerRecord,
    InvoiceRecord,
    OrderLine,
    OrderRecord,
    PaymentRecord,
    PlanRecord,
    RefundRecord,
    SubscriptionRecord,
    SyncRecord,
)

SEPT = datetime(2025, 9, 14, 8, 30, tzinfo=UTC)
DETAILS = BillingDetails(country="DE", postal_code="10115")


def eur(cents: int) -> Money:
    return Money(cents, "EUR")


def plan_record(plan_id: str = "pro", revision: int = 1, *, price: int = 2900,
                selectable: bool = True, name: str = "Pro") -> PlanRecord:
    return PlanRecord(Plan(plan_id, name, "app", eur(price), BillingPeriod.MONTHLY,
                           selectable=selectable), revision)


def buyer_record(buyer_id: str = "cus_1", revision: int = 1, *,
                 email: str = "ada@example.com", locale: str | None = "de") -> BuyerRecord:
    return BuyerRecord(Buyer(buyer_id, email, locale, "Ada Lovelace"), revision)


def subscription_record(sub_id: str = "sub_1", revision: int = 1, *, buyer_id: str = "cus_1",
                        plan_id: str = "pro",
                        status: SubscriptionStatus = SubscriptionStatus.ACTIVE,
                        start: datetime = SEPT) -> SubscriptionRecord:
    return SubscriptionRecord(Subscription(
        id=sub_id, buyer_id=buyer_id, plan_id=plan_id, status=status,
        current_period_start=start, current_period_end=start + timedelta(days=30),
        created_at=SEPT), revision)


def order_record(order_id: str = "ord_1", revision: int = 1, *, buyer_id: str = "cus_1",
                 net: int = 2437, tax: int = 463, quantity: int = 1,
                 status: OrderStatus = OrderStatus.COMPLETED,
                 created_at: datetime = SEPT) -> OrderRecord:
    unit = eur(net // quantity)
    return OrderRecord(
        id=order_id, buyer_id=buyer_id, kind=OrderKind.SUBSCRIPTION, status=status,
        currency="EUR", lines=(OrderLine("Pro", quantity, unit, eur(net), "pro", SEPT,
                                         SEPT + timedelta(days=30)),),
        subtotal_net=eur(net), tax=eur(tax), total_gross=eur(net + tax),
        tax_rate_percent=Decimal("19"), billing_details=DETAILS, created_at=created_at,
        revision=revision, subscription_id="sub_1")


def payment_record(payment_id: str = "pay_1", revision: int = 1, *, order_id: str = "ord_1",
                   refunds: tuple[Refund, ...] = ()) -> PaymentRecord:
    return PaymentRecord(Payment(payment_id, order_id, "cus_1", eur(2900),
                                 PaymentStatus.SUCCEEDED, SEPT, refunds=refunds), revision)


def refund_record(refund_id: str = "re_1", revision: int = 1, *, amount: int = 900,
                  payment_id: str = "pay_1") -> RefundRecord:
    return RefundRecord("ord_1", payment_id, Refund(refund_id, eur(amount),
                                                    SEPT + timedelta(days=2)), revision)


def invoice_record(revision: int = 1, number: str = "ACME-2025-0042") -> InvoiceRecord:
    return InvoiceRecord(Invoice(number, "ord_1", "cus_1", SEPT + timedelta(minutes=1),
                                 DETAILS), revision)


def history() -> list[SyncRecord]:
    """A buyer with a subscription, a paid and partly refunded order, and its invoice."""
    return [
        plan_record(), plan_record("starter", price=900, name="Starter"),
        plan_record("legacy", price=1900, selectable=False, name="Legacy"),
        buyer_record(), BillingDetailsRecord("cus_1", DETAILS, 1), subscription_record(),
        order_record(), payment_record(), refund_record(), invoice_record(),
    ]
