"""Building the orders and payments the portal itself creates (upgrades, renewals).

Plan prices are tax-inclusive. The tax share of a portal-created order uses the
rate of the subscription's latest order, which the merchant's provider computed;
with no earlier order the rate is 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from ..core.charges import ChargeResult
from ..core.models import (
    BillingDetails,
    LineItem,
    Order,
    OrderKind,
    OrderStatus,
    Payment,
    PaymentStatus,
    Subscription,
)
from ..core.tax import inclusive_tax
from .context import Deps, new_id

_RECENT_ORDERS_SCANNED = 50


def latest_tax(deps: Deps, subscription: Subscription) -> tuple[Decimal, str]:
    for order in deps.store.list_orders(subscription.buyer_id, _RECENT_ORDERS_SCANNED):
        if order.subscription_id == subscription.id:
            return order.tax_rate, order.tax_note
    return Decimal(0), ""


def record_paid_order(deps: Deps, subscription: Subscription, lines: Sequence[LineItem],
                      charge: ChargeResult, now: datetime) -> Order:
    """Store a completed subscription order and its succeeded payment (inside atomic())."""
    total = charge.amount
    rate, note = latest_tax(deps, subscription)
    tax = inclusive_tax(total, rate)
    details = deps.store.get_billing_details(subscription.buyer_id) or BillingDetails(country="")
    order = Order(
        id=new_id("ord"), buyer_id=subscription.buyer_id, kind=OrderKind.SUBSCRIPTION,
        status=OrderStatus.COMPLETED, currency=total.currency, line_items=tuple(lines),
        subtotal=total - tax, tax=tax, total=total, tax_rate=rate, tax_note=note,
        billing_details=details, created_at=now, subscription_id=subscription.id,
    )
    deps.store.save_order(order)
    deps.store.save_payment(Payment(
        id=new_id("pay"), order_id=order.id, buyer_id=order.buyer_id, amount=total,
        status=PaymentStatus.SUCCEEDED, created_at=now, method=subscription.payment_method,
        provider_reference=charge.reference,
    ))
    return order
