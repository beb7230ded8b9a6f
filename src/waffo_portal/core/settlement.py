"""Where an order stands with its money (pure): the one answer lists, pages and
documents all print, so "Paid" never hides a partial refund or a failed charge."""

from __future__ import annotations

import enum
from collections.abc import Sequence

import attrs

from .models import Order, OrderStatus, Payment, PaymentStatus
from .money import Money


class Settlement(enum.StrEnum):
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    PAYMENT_FAILED = "payment_failed"
    AWAITING_PAYMENT = "awaiting_payment"
    CANCELED = "canceled"

    @property
    def charged(self) -> bool:
        """Money was taken: the order has an invoice number and may have a receipt."""
        return self in (Settlement.PAID, Settlement.PARTIALLY_REFUNDED, Settlement.REFUNDED)


@attrs.frozen
class SettlementView:
    state: Settlement
    paid: Money  # taken by succeeded (or later refunded) payments
    refunded: Money
    paid_at: Payment | None  # the first payment that took money, for its date and method

    @property
    def net_paid(self) -> Money:
        return self.paid - self.refunded


_TOOK_MONEY = frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED})


def settle(order: Order, payments: Sequence[Payment]) -> SettlementView:
    """The order's settlement from its status and its payments (oldest first)."""
    zero = Money.zero(order.currency)
    taking = [p for p in payments if p.status in _TOOK_MONEY]
    paid, refunded = zero, zero
    for payment in taking:
        paid = paid + payment.amount
        refunded = refunded + payment.refunded
    first = taking[0] if taking else None
    # A zero order took nothing and gave nothing back: paid, not refunded.
    if order.status is OrderStatus.REFUNDED or (taking and refunded > zero
                                                and refunded >= paid):
        state = Settlement.REFUNDED
    elif refunded > zero:
        state = Settlement.PARTIALLY_REFUNDED
    elif order.status is OrderStatus.COMPLETED or taking:
        state = Settlement.PAID
    elif order.status is OrderStatus.CANCELED:
        state = Settlement.CANCELED
    elif payments and payments[-1].status is PaymentStatus.FAILED:
        state = Settlement.PAYMENT_FAILED  # the latest attempt: a retry under way awaits
    else:
        state = Settlement.AWAITING_PAYMENT
    return SettlementView(state, paid, refunded, first)


__all__ = ["Settlement", "SettlementView", "settle"]
