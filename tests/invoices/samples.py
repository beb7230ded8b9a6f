"""Orders as the portal makes them, for the document tests: an upgrade (tax-inclusive
prices, a charge for the new plan and a credit for the old one), a renewal, a refund."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import attrs

from waffo_portal.core.models import (
    BillingDetails,
    Invoice,
    LineItem,
    LineKind,
    Order,
    OrderKind,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
)
from waffo_portal.core.money import Money

ORDER_ID = "demo1-r0"  # an internal id: never printed
START = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
END = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)
PAID = datetime(2026, 1, 15, 10, 5, tzinfo=UTC)
REFUNDED = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
#: What the portal stores for its own lines is never printed: the kind is worded.
STORED_TEXT = "STORED ENGLISH TEXT"


def eur(cents: int) -> Money:
    return Money(cents, "EUR")


def details(country: str = "DE", **changes: object) -> BillingDetails:
    base = BillingDetails(country=country, state="DE-BE" if country == "DE" else "",
                          postal_code="10115", city="Berlin", address_line1="1 Dock Road",
                          name="Erika Mustermann")
    return attrs.evolve(base, **changes)


def upgrade_order(**changes: object) -> Order:
    """Starter -> Pro halfway through: 33.32 - 13.32 = 20.00, VAT 19 % included."""
    lines = (
        LineItem(STORED_TEXT, 1, eur(3332), eur(3332), "pro", START, END,
                 LineKind.PRORATION_CHARGE, "Pro"),
        LineItem(STORED_TEXT, 1, eur(-1332), eur(-1332), "starter", START, END,
                 LineKind.PRORATION_CREDIT, "Starter"),
    )
    order = Order(
        id=ORDER_ID, buyer_id="buyer_1", kind=OrderKind.SUBSCRIPTION,
        status=OrderStatus.COMPLETED, currency="EUR", line_items=lines,
        subtotal=eur(1681), tax=eur(319), total=eur(2000), tax_rate=Decimal(19),
        billing_details=details(), created_at=START, subscription_id="sub_1",
        prices_include_tax=True,
    )
    return attrs.evolve(order, **changes)


def renewal_and_setup_order() -> Order:
    """A renewal the portal made, beside a line with the merchant's own text (net prices)."""
    lines = (
        LineItem(STORED_TEXT, 1, eur(2000), eur(2000), "pro", START, END, LineKind.RENEWAL,
                 "Pro"),
        LineItem("Setup fee", 1, eur(500), eur(500)),
    )
    return upgrade_order(line_items=lines, subtotal=eur(2500), tax=eur(475), total=eur(2975),
                         prices_include_tax=False)


def invoice_for(order: Order, **changes: object) -> Invoice:
    invoice = Invoice(number="INV-000007", order_id=order.id, buyer_id=order.buyer_id,
                      issued_at=PAID)
    return attrs.evolve(invoice, **changes)


def card_payment(order: Order, *refunds: int, status: PaymentStatus = PaymentStatus.SUCCEEDED,
                 ) -> Payment:
    """The order's total paid by card, with ``refunds`` (cents) given back later."""
    back = tuple(Refund(f"re_{n}", eur(amount), REFUNDED, "goodwill")
                 for n, amount in enumerate(refunds))
    return Payment("pay_1", order.id, order.buyer_id, order.total, status, PAID,
                   method=PaymentMethod("visa", "4242"), refunds=back)
