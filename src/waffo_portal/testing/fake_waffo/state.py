"""The fake Waffo's books: products, orders, payments, refunds, plan-change sessions.

Every business change goes through one method here, which updates the books and
queues the webhook(s) Waffo would send, with the data fields of Waffo's SDK types.
Money is kept in minor units and written as Waffo's decimal display strings.
"""

from __future__ import annotations

import secrets
import string
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ...core.models import BillingPeriod
from ...core.money import Money, currency_exponent

# Waffo, as merchant of record, charges the buyer's country's VAT on top of the
# (tax-exclusive) price; a business buyer with a tax id pays none (reverse charge).
TAX_PERCENT = {"DE": 19, "FR": 20, "GB": 20, "AT": 20, "NL": 21, "JP": 10, "US": 0}
_BASE62 = string.digits + string.ascii_letters


def short_id(prefix: str) -> str:
    return prefix + "_" + "".join(secrets.choice(_BASE62) for _ in range(22))


def display(minor: int, currency: str) -> str:
    exponent = currency_exponent(currency)
    return f"{Money(minor, currency).to_decimal():.{exponent}f}"


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class Product:
    id: str
    name: str
    period: BillingPeriod
    prices: dict[str, int]  # currency -> minor units, tax exclusive
    status: str = "active"
    group_id: str | None = None


@dataclass
class FakePayment:
    id: str
    order_id: str
    status: str
    currency: str
    subtotal: int
    tax: int
    created_at: datetime
    failure_reason: str = ""
    period_number: int = 0
    refunds: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.subtotal + self.tax


@dataclass
class FakeOrder:
    id: str
    kind: str  # "subscription" | "onetime"
    status: str
    buyer_identity: str | None
    email: str
    product_id: str
    currency: str
    billing: dict[str, Any]
    created_at: datetime
    period_start: datetime | None = None
    period_end: datetime | None = None
    canceled_at: datetime | None = None
    period_number: int = 0
    scheduled_product_id: str | None = None
    payments: list[FakePayment] = field(default_factory=list)
    last4: str = "4242"


@dataclass
class Session:
    id: str
    order_id: str
    product_id: str
    currency: str
    timing: str
    success_url: str
    expires_at: datetime
    state: str = "open"  # open | confirmed | failed


@dataclass
class Event:
    event_type: str
    event_id: str
    data: dict[str, Any]
    at: datetime
    delivery_id: str = field(default_factory=lambda: str(uuid.uuid4()))


class Books:
    """All state of one fake store. Methods are thread-safe (one lock)."""

    def __init__(self, store_id: str, environment: str, now: Callable[[], datetime]) -> None:
        self.store_id = store_id
        self.environment = environment
        self.now = now
        self.lock = threading.RLock()
        self.products: dict[str, Product] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.orders: dict[str, FakeOrder] = {}
        self.sessions: dict[str, Session] = {}
        self.outbox: list[Event] = []

    # -- catalog -------------------------------------------------------------------
    def add_product(self, name: str, price: str, *, currency: str = "USD",
                    period: str = "monthly", group: str | None = None) -> Product:
        with self.lock:
            minor = Money.from_decimal(price, currency).amount
            product = Product(short_id("PROD"), name, BillingPeriod(period), {currency: minor})
            if group is not None:
                group_id = next((g for g, v in self.groups.items() if v["name"] == group),
                                None) or str(uuid.uuid4())
                entry = self.groups.setdefault(group_id, {"id": group_id, "name": group,
                                                          "productIds": []})
                entry["productIds"].append(product.id)
                product.group_id = group_id
            self.products[product.id] = product
            return product

    # -- money -----------------------------------------------------------------------
    def _tax(self, billing: dict[str, Any], subtotal: int) -> int:
        if billing.get("isBusiness") and billing.get("taxId"):
            return 0
        return round(subtotal * TAX_PERCENT.get(billing.get("country", ""), 0) / 100)

    def _pay(self, order: FakeOrder, subtotal: int, *, succeed: bool = True,
             reason: str = "") -> FakePayment:
        payment = FakePayment(short_id("PAY"), order.id,
                              "succeeded" if succeed else "failed", order.currency, subtotal,
                              self._tax(order.billing, subtotal), self.now(),
                              failure_reason="" if succeed else reason or "insufficient_funds",
                              period_number=order.period_number)
        order.payments.append(payment)
        return payment

    # -- events ---------------------------------------------------------------------
    def _order_data(self, order: FakeOrder) -> dict[str, Any]:
        product = self.products[order.product_id]
        data: dict[str, Any] = {
            "orderId": order.id, "orderStatus": order.status, "buyerEmail": order.email,
            "currency": order.currency, "billingDetail": dict(order.billing),
            "productName": product.name, "orderMetadata": {}}
        if order.buyer_identity:
            data["merchantProvidedBuyerIdentity"] = order.buyer_identity
        return data

    def _subscription_data(self, order: FakeOrder, *, period: bool = True) -> dict[str, Any]:
        data = self._order_data(order)
        price = self.products[order.product_id].prices[order.currency]
        tax = self._tax(order.billing, price)
        assert order.period_start is not None and order.period_end is not None
        data.update({
            "billingPeriod": self.products[order.product_id].period.value,
            "currentPeriodStart": iso(order.period_start),
            "currentPeriodEnd": iso(order.period_end),
            "canceledAt": iso(order.canceled_at) if order.canceled_at else None,
            "planPrice": {"total": display(price + tax, order.currency),
                          "subtotal": display(price, order.currency),
                          "taxAmount": display(tax, order.currency)}})
        if period:
            data["periodNumber"] = order.period_number
        return data

    def _payment_data(self, order: FakeOrder, payment: FakePayment) -> dict[str, Any]:
        data = self._order_data(order)
        if order.kind == "subscription":
            del data["orderStatus"]  # "a pure payment event"
            data["periodNumber"] = payment.period_number
        rate = round(payment.tax * 100 / payment.subtotal) if payment.subtotal else 0
        data.update({
            "paymentId": payment.id, "paymentStatus": payment.status,
            "paymentMethod": "card", "paymentLast4": order.last4,
            "paymentDate": payment.created_at.date().isoformat(),
            "chargedAmount": display(payment.total, payment.currency),
            "listPrice": {"total": display(payment.total, payment.currency),
                          "subtotal": display(payment.subtotal, payment.currency),
                          "taxAmount": display(payment.tax, payment.currency),
                          "taxRate": rate},
            # deprecated flat fields, still sent
            "amount": display(payment.total, payment.currency),
            "taxAmount": display(payment.tax, payment.currency)})
        return data

    def emit(self, event_type: str, event_id: str, data: dict[str, Any]) -> Event:
        event = Event(event_type, event_id, data, self.now())
        self.outbox.append(event)
        return event

    def _sub_event(self, event_type: str, order: FakeOrder, *, period: bool = True) -> None:
        self.emit(event_type, order.id, self._subscription_data(order, period=period))

    # -- purchases (what a buyer does on Waffo's checkout) ----------------------------
    def _new_order(self, kind: str, product_id: str, email: str, identity: str | None,
                   billing: dict[str, Any] | None, currency: str | None) -> FakeOrder:
        product = self.products[product_id]
        chosen = currency or next(iter(product.prices))
        return FakeOrder(short_id("ORD"), kind, "pending", identity, email, product_id,
                         chosen, dict(billing or {"country": "US", "isBusiness": False,
                                                  "postcode": "94105", "state": "CA"}),
                         self.now())

    def subscribe(self, product_id: str, *, email: str, identity: str | None = None,
                  billing: dict[str, Any] | None = None,
                  currency: str | None = None) -> FakeOrder:
        with self.lock:
            order = self._new_order("subscription", product_id, email, identity, billing,
                                    currency)
            order.status, order.period_number = "active", 1
            order.period_start = order.created_at
            order.period_end = self.products[product_id].period.advance(order.created_at)
            self.orders[order.id] = order
            payment = self._pay(order, self.products[product_id].prices[order.currency])
            self._sub_event("subscription.activated", order)
            self.emit("subscription.payment_succeeded", payment.id,
                      self._payment_data(order, payment))
            return order

    def buy_once(self, product_id: str, *, email: str, identity: str | None = None,
                 billing: dict[str, Any] | None = None) -> FakeOrder:
        with self.lock:
            order = self._new_order("onetime", product_id, email, identity, billing, None)
            order.status = "completed"
            self.orders[order.id] = order
            payment = self._pay(order, self.products[product_id].prices[order.currency])
            self.emit("order.completed", payment.id, self._payment_data(order, payment))
            return order

    # -- the subscription's life ------------------------------------------------------
    def renew(self, order_id: str, *, succeed: bool = True) -> FakePayment:
        """The period rolls over: charged (renewed) or not (past due). A change
        scheduled for the period end takes effect first."""
        with self.lock:
            order = self.orders[order_id]
            assert order.period_end is not None
            if order.scheduled_product_id:
                order.product_id, order.scheduled_product_id = order.scheduled_product_id, None
                changed = True
            else:
                changed = False
            order.period_start = order.period_end
            order.period_end = self.products[order.product_id].period.advance(order.period_end)
            order.period_number += 1
            price = self.products[order.product_id].prices[order.currency]
            payment = self._pay(order, price, succeed=succeed)
            if not succeed:
                order.status = "past_due"
                self._sub_event("subscription.past_due", order)
                return payment
            if changed:
                self._sub_event("subscription.plan_changed", order)
            self._sub_event("subscription.renewed", order)
            self.emit("subscription.payment_succeeded", payment.id,
                      self._payment_data(order, payment))
            return payment

    def recover(self, order_id: str) -> FakePayment:
        with self.lock:
            order = self.orders[order_id]
            order.status = "active"
            failed = next(p for p in reversed(order.payments) if p.status == "failed")
            failed.status = "succeeded"
            failed.failure_reason = ""
            self._sub_event("subscription.recovered", order)
            self.emit("subscription.payment_succeeded", failed.id,
                      self._payment_data(order, failed))
            return failed

    def cancel(self, order_id: str) -> str:
        with self.lock:
            order = self.orders[order_id]
            if order.status == "pending":
                order.status = "canceled"
            elif order.status in ("active", "past_due"):
                order.status, order.canceled_at = "canceling", self.now()
                order.scheduled_product_id = None
                self._sub_event("subscription.canceling", order, period=False)
            return order.status

    def reactivate(self, order_id: str) -> None:
        with self.lock:
            order = self.orders[order_id]
            order.status, order.canceled_at = "active", None
            self._sub_event("subscription.uncanceled", order, period=False)

    def end(self, order_id: str) -> None:
        """The period of a canceling subscription ran out."""
        with self.lock:
            order = self.orders[order_id]
            order.status = "canceled"
            order.canceled_at = order.canceled_at or self.now()
            self._sub_event("subscription.canceled", order)

    def refund(self, payment_id: str, amount: str | None = None, *,
               succeed: bool = True) -> dict[str, Any]:
        with self.lock:
            order, payment = self.payment(payment_id)
            minor = payment.total if amount is None else Money.from_decimal(
                amount, payment.currency).amount
            refund_id = short_id("REF")
            refund: dict[str, Any] = {
                      "id": refund_id, "status": "succeeded" if succeed else "failed",
                      "createdAt": iso(self.now()),
                      "requestedAmountDetails": {"currency": payment.currency,
                                                 "amount": display(minor, payment.currency)}}
            payment.refunds.append(refund)
            data = self._order_data(order)
            if order.kind == "subscription":
                data["periodNumber"] = payment.period_number
            data.update({"refundStatus": refund["status"], "refundCreatedAt": refund["createdAt"],
                         "refundedAmount": display(minor, payment.currency)})
            self.emit("refund.succeeded" if succeed else "refund.failed", refund_id, data)
            return refund

    def payment(self, payment_id: str) -> tuple[FakeOrder, FakePayment]:
        for order in self.orders.values():
            for payment in order.payments:
                if payment.id == payment_id:
                    return order, payment
        raise KeyError(payment_id)

    # -- plan changes --------------------------------------------------------------
    def open_session(self, order_id: str, product_id: str, currency: str, timing: str | None,
                     success_url: str) -> Session:
        with self.lock:
            order = self.orders[order_id]
            old = self.products[order.product_id].prices[order.currency]
            new = self.products[product_id].prices[order.currency]
            chosen = timing or ("immediate" if new > old else "next_period")
            session = Session("cs_" + uuid.uuid4().hex, order_id, product_id, currency,
                              chosen, success_url, self.now() + timedelta(minutes=45))
            self.sessions[session.id] = session
            return session

    def change_charge(self, session: Session) -> int:
        """The prorated difference an immediate upgrade charges now (tax exclusive)."""
        order = self.orders[session.order_id]
        assert order.period_start is not None and order.period_end is not None
        old = self.products[order.product_id].prices[order.currency]
        new = self.products[session.product_id].prices[order.currency]
        if session.timing != "immediate" or new <= old:
            return 0
        left = (order.period_end - self.now()) / (order.period_end - order.period_start)
        return max(0, round((new - old) * max(0.0, min(1.0, left))))

    def confirm(self, session_id: str, *, succeed: bool = True) -> Session:
        """The buyer confirms on the change page."""
        with self.lock:
            session = self.sessions[session_id]
            order = self.orders[session.order_id]
            if session.state != "open":
                return session
            if not succeed:
                session.state = "failed"
                self._sub_event("subscription.plan_change_failed", order, period=False)
                return session
            session.state = "confirmed"
            if session.timing == "next_period":
                back = session.product_id == order.product_id  # undoes a scheduled change
                order.scheduled_product_id = None if back else session.product_id
                scheduled = self._subscription_data(order)
                scheduled["productName"] = self.products[session.product_id].name
                self.emit("subscription.plan_change_scheduled", order.id, scheduled)
                return session
            charge = self.change_charge(session)
            order.product_id, order.scheduled_product_id = session.product_id, None
            self._sub_event("subscription.plan_changed", order)
            if charge:
                payment = self._pay(order, charge)
                self.emit("subscription.payment_succeeded", payment.id,
                          self._payment_data(order, payment))
            return session
