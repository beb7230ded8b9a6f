"""core.settlement.settle: the one answer to "where does this order stand with its money",
which the orders list, the order page and the documents all print."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import attrs
import pytest

from waffo_portal.core.models import OrderStatus, Payment, PaymentStatus, Refund
from waffo_portal.core.money import Money
from waffo_portal.core.settlement import Settlement, settle
from waffo_portal.testing.factories import EPOCH, sample_order, sample_plans

PLAN = sample_plans("USD")[0]
ORDER = sample_order("buyer_1", PLAN, EPOCH, "ord_1")
TOTAL = ORDER.total.amount


def _payment(status: PaymentStatus, minutes: int = 0, refunds: Sequence[int] = (),
             amount: int = TOTAL) -> Payment:
    return Payment(f"pay_{status.value}_{minutes}", ORDER.id, ORDER.buyer_id,
                   Money(amount, "USD"), status, EPOCH + timedelta(minutes=minutes),
                   refunds=tuple(Refund(f"re_{minutes}_{i}", Money(cents, "USD"),
                                        EPOCH + timedelta(days=1), "")
                                 for i, cents in enumerate(refunds)))


def _state(status: OrderStatus, *payments: Payment) -> Settlement:
    return settle(attrs.evolve(ORDER, status=status), payments).state


def test_a_paid_order_is_paid() -> None:
    assert _state(OrderStatus.COMPLETED, _payment(PaymentStatus.SUCCEEDED)) is Settlement.PAID


def test_a_refund_short_of_the_total_is_a_partial_refund_not_paid() -> None:
    paid = _payment(PaymentStatus.SUCCEEDED, refunds=(100,))
    view = settle(attrs.evolve(ORDER, status=OrderStatus.COMPLETED), [paid])
    assert view.state is Settlement.PARTIALLY_REFUNDED
    assert view.refunded == Money(100, "USD") and view.net_paid == Money(TOTAL - 100, "USD")


def test_refunds_that_cover_the_total_are_a_full_refund() -> None:
    # Two refunds that add up, on an order whose status was never changed to refunded.
    paid = _payment(PaymentStatus.SUCCEEDED, refunds=(TOTAL - 100, 100))
    assert _state(OrderStatus.COMPLETED, paid) is Settlement.REFUNDED
    assert _state(OrderStatus.REFUNDED, _payment(PaymentStatus.REFUNDED)) is Settlement.REFUNDED


def test_a_pending_order_whose_latest_payment_failed_is_payment_failed() -> None:
    # The renewal the card declined: not "Pending", not "Awaiting payment".
    assert _state(OrderStatus.PENDING, _payment(PaymentStatus.FAILED)) \
        is Settlement.PAYMENT_FAILED
    assert _state(OrderStatus.PENDING, _payment(PaymentStatus.FAILED, 0),
                  _payment(PaymentStatus.FAILED, 5)) is Settlement.PAYMENT_FAILED


def test_a_retry_under_way_after_a_failure_awaits_payment() -> None:
    assert _state(OrderStatus.PENDING, _payment(PaymentStatus.FAILED, 0),
                  _payment(PaymentStatus.PENDING, 5)) is Settlement.AWAITING_PAYMENT


def test_a_failed_attempt_before_the_successful_one_is_paid() -> None:
    assert _state(OrderStatus.COMPLETED, _payment(PaymentStatus.FAILED, 0),
                  _payment(PaymentStatus.SUCCEEDED, 5)) is Settlement.PAID


@pytest.mark.parametrize(("status", "expected"), [
    (OrderStatus.PENDING, Settlement.AWAITING_PAYMENT),
    (OrderStatus.CANCELED, Settlement.CANCELED),
    (OrderStatus.COMPLETED, Settlement.PAID),  # a free order: nothing taken, nothing owed
])
def test_orders_without_payments(status: OrderStatus, expected: Settlement) -> None:
    assert _state(status) is expected
