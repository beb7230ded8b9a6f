"""Waffo's orders, payments and products (GraphQL nodes) as the portal's sync records.

Waffo's subscription *order* (``ORD_…``) is the portal's subscription; each of its
payments (``PAY_…``) is one portal order with one payment, so every charge has its own
invoice and receipt. A one-time order keeps its ``ORD_`` id. Amounts come from the
payment's snapshot exactly as Waffo charged them: as merchant of record Waffo decides
the tax, the portal never recomputes it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

from ...core.exceptions import ValidationError
from ...core.models import (
    BillingDetails,
    BillingPeriod,
    Buyer,
    Cancellation,
    OrderKind,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Plan,
    Refund,
    ScheduledChange,
    Subscription,
    SubscriptionStatus,
)
from ...core.money import Money
from ...core.sync import (
    BillingDetailsRecord,
    BuyerRecord,
    OrderLine,
    OrderRecord,
    PaymentRecord,
    PlanRecord,
    SubscriptionRecord,
    SyncRecord,
)
from .settings import money

log = logging.getLogger("waffo_portal.providers.waffo")

Node = Mapping[str, Any]

# Waffo's subscription states; pending and closed ones were never paid, the portal
# shows nothing of them.
_SUBSCRIPTION_STATUS: Final[Mapping[str, SubscriptionStatus]] = {
    "active": SubscriptionStatus.ACTIVE, "canceling": SubscriptionStatus.CANCELING,
    "past_due": SubscriptionStatus.PAST_DUE, "canceled": SubscriptionStatus.CANCELED,
    "expired": SubscriptionStatus.EXPIRED,
}
_PAYMENT_STATUS: Final[Mapping[str, PaymentStatus]] = {
    "pending": PaymentStatus.PENDING, "succeeded": PaymentStatus.SUCCEEDED,
    "failed": PaymentStatus.FAILED, "canceled": PaymentStatus.CANCELED,
}
# A payment's order: paid, or still open (a failed renewal can be paid again).
_ORDER_STATUS: Final[Mapping[PaymentStatus, OrderStatus]] = {
    PaymentStatus.PENDING: OrderStatus.PENDING, PaymentStatus.FAILED: OrderStatus.PENDING,
    PaymentStatus.SUCCEEDED: OrderStatus.COMPLETED, PaymentStatus.CANCELED: OrderStatus.CANCELED,
}
_ONETIME_STATUS: Final[Mapping[str, OrderStatus]] = {
    "pending": OrderStatus.PENDING, "completed": OrderStatus.COMPLETED,
    "canceled": OrderStatus.CANCELED,
}


def moment(value: object, field: str) -> datetime:
    """An ISO 8601 date or date-time from Waffo, as aware UTC."""
    if not isinstance(value, str):
        raise ValidationError({field: "sync.period_invalid"})
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError({field: "sync.period_invalid"}) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _optional_moment(value: object, field: str) -> datetime | None:
    return None if value in (None, "") else moment(value, field)


def buyer_id(node: Node) -> str:
    """The merchant's own id for the buyer (``buyerIdentity`` at checkout), else one
    derived from the email: orders bought anonymously still land on one buyer."""
    identity = node.get("merchantProvidedBuyerIdentity")
    if isinstance(identity, str) and 0 < len(identity) <= 64 and identity == identity.strip():
        return identity
    email = str(node.get("buyerEmail") or "").strip().lower()
    return "waffo-" + hashlib.sha256(email.encode()).hexdigest()[:24]


def billing_details(node: Node) -> BillingDetails:
    raw = node.get("billingDetail")
    if not isinstance(raw, Mapping) or not isinstance(raw.get("country"), str):
        raise ValidationError({"billing_details.country": "billing.country_required"})
    state = str(raw.get("state") or "")
    if state and "-" not in state:  # Waffo: "CA"; the portal: ISO 3166-2 "US-CA"
        state = f"{raw['country']}-{state}"
    return BillingDetails(country=raw["country"], state=state,
                          postal_code=str(raw.get("postcode") or ""),
                          business_name=str(raw.get("businessName") or ""),
                          tax_id=str(raw.get("taxId") or ""),
                          is_business=raw.get("isBusiness") is True)


def _parties(node: Node, revision: int) -> tuple[str, BillingDetails, list[SyncRecord]]:
    buyer = Buyer(id=buyer_id(node), email=str(node.get("buyerEmail") or "").strip())
    details = billing_details(node)
    return buyer.id, details, [BuyerRecord(buyer, revision),
                               BillingDetailsRecord(buyer.id, details, revision)]


def _amounts(raw: object) -> tuple[Money, Money, Money, Decimal]:
    """Net, tax, gross and the tax rate in percent of one amount snapshot."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("currency"), str):
        raise ValidationError({"amount": "provider.amount_invalid"})
    currency = raw["currency"]
    gross = money(raw.get("total"), currency)
    tax = money(raw.get("taxAmount") or "0", currency)
    net = gross - tax if raw.get("subtotal") is None else money(raw["subtotal"], currency)
    if net + tax != gross:
        raise ValidationError({"amount": "sync.total_mismatch"})
    rate = Decimal(0) if not net else (Decimal(tax.amount) * 100 / Decimal(net.amount))
    return net, tax, gross, rate.quantize(Decimal("0.01")).normalize()


def _refunds(raw: object, currency: str, payment_id: str) -> tuple[Refund, ...]:
    refunds = []
    for index, item in enumerate(raw if isinstance(raw, list) else ()):
        if not isinstance(item, Mapping) or item.get("status") != "succeeded":
            continue  # pending, rejected and failed refunds moved no money
        amount = item.get("requestedAmountDetails") or {}
        refunds.append(Refund(id=str(item.get("id") or f"{payment_id}-r{index}"),
                              amount=money(amount.get("amount"), currency),
                              created_at=moment(item.get("createdAt"), "refunds.created_at")))
    return tuple(refunds)


def _method(raw: object) -> PaymentMethod | None:
    if not isinstance(raw, Mapping):
        return None
    brand, last4 = str(raw.get("brand") or "card"), str(raw.get("last4") or "")
    if len(last4) != 4 or not last4.isascii() or not last4.isdigit():
        return None
    return PaymentMethod(brand=brand.lower()[:20], last4=last4)


def payment_records(node: Node, payment: Node, *, order_id: str, kind: OrderKind,
                    product: str, revision: int) -> list[SyncRecord]:
    """One payment of ``node`` as a portal order (unless the order is the one-time
    order itself, written by the caller) and a payment."""
    pid = str(payment.get("id") or "")
    status = _PAYMENT_STATUS.get(str(payment.get("status")), PaymentStatus.PENDING)
    net, tax, gross, rate = _amounts(payment.get("snapshotAmountDetails"))
    created = moment(payment.get("createdAt"), "payments.created_at")
    refunds = _refunds(payment.get("refunds"), gross.currency, pid)
    who, details, _ = _parties(node, revision)
    records: list[SyncRecord] = []
    if kind is OrderKind.SUBSCRIPTION:
        refunded = sum(r.amount.amount for r in refunds)
        order_status = (OrderStatus.REFUNDED if refunds and refunded >= gross.amount
                        else _ORDER_STATUS[status])
        records.append(_order(order_id, who, kind, order_status, product, net, tax, gross,
                              rate, details, created, revision, str(node.get("id"))))
    records.append(PaymentRecord(Payment(
        id=pid, order_id=order_id, buyer_id=who, amount=gross, status=status,
        created_at=created, method=_method(payment.get("cardInfo")),
        failure_reason=str(payment.get("failureReason") or "")[:200], refunds=refunds,
        provider_reference=pid), revision))
    return records


def _order(order_id: str, who: str, kind: OrderKind, status: OrderStatus, product: str,
           net: Money, tax: Money, gross: Money, rate: Decimal, details: BillingDetails,
           created: datetime, revision: int, subscription_id: str | None) -> OrderRecord:
    line = OrderLine(description=product, quantity=1, unit_net=net, net=net)
    return OrderRecord(id=order_id, buyer_id=who, kind=kind, status=status,
                       currency=gross.currency, lines=(line,), subtotal_net=net, tax=tax,
                       total_gross=gross, tax_rate_percent=rate, billing_details=details,
                       created_at=created, revision=revision,
                       subscription_id=subscription_id if kind is OrderKind.SUBSCRIPTION
                       else None,
                       # A read names today's product: a past charge keeps its own line.
                       keep_stored=("lines",))


def _payments(node: Node) -> list[Node]:
    return [p for p in node.get("payments") or () if isinstance(p, Mapping) and p.get("id")]


def subscription_records(node: Node, revision: int, *,
                         scheduled: ScheduledChange | None = None) -> list[SyncRecord]:
    """A subscription order with its buyer, billing details and every payment."""
    status = _SUBSCRIPTION_STATUS.get(str(node.get("status")))
    product = node.get("subscriptionProduct") or {}
    name = str(product.get("name") or "Subscription")
    _, _, records = _parties(node, revision)
    for payment in _payments(node):
        records += payment_records(node, payment, order_id=str(payment["id"]),
                                   kind=OrderKind.SUBSCRIPTION, product=name,
                                   revision=revision)
    if status is None:  # pending (unpaid), closed (never active), or a state new to us
        log.info("Waffo subscription %s is %r: not shown", node.get("id"), node.get("status"))
        return records
    start = moment(node.get("currentPeriodStart"), "current_period_start")
    end = moment(node.get("currentPeriodEnd"), "current_period_end")
    canceled_at = _optional_moment(node.get("canceledAt"), "canceled_at")
    cancellation = None
    if status in (SubscriptionStatus.CANCELING, SubscriptionStatus.CANCELED):
        asked = canceled_at or start
        cancellation = Cancellation(reason=None, comment="", requested_at=asked,
                                    effective_at=max(asked, end) if status is
                                    SubscriptionStatus.CANCELING else asked)
    paid = [p for p in _payments(node) if p.get("status") == "succeeded"]
    method = _method(paid[-1].get("cardInfo")) if paid else None
    records.append(SubscriptionRecord(Subscription(
        id=str(node.get("id")), buyer_id=buyer_id(node), plan_id=str(product.get("id")),
        status=status, current_period_start=start, current_period_end=end,
        created_at=moment(node.get("createdAt"), "created_at"),
        # A change scheduled back to the current plan (an undone downgrade) is no change.
        scheduled_change=scheduled if status.has_access and scheduled is not None
        and scheduled.plan_id != product.get("id") else None,
        cancellation=cancellation, payment_method=method), revision,
        # Waffo's reads carry no scheduled change: one the portal holds from the
        # plan_change_scheduled event stays until it happens or cannot any more.
        keep_stored=() if scheduled is not None else ("scheduled_change",)))
    return records


def onetime_records(node: Node, revision: int) -> list[SyncRecord]:
    """A one-time order with its buyer and payments; amounts from its paid payment."""
    payments = _payments(node)
    if not payments:
        return []
    status = _ONETIME_STATUS.get(str(node.get("status")), OrderStatus.PENDING)
    paid = [p for p in payments if p.get("status") == "succeeded"] or payments
    net, tax, gross, rate = _amounts(paid[-1].get("snapshotAmountDetails"))
    who, details, records = _parties(node, revision)
    name = str((node.get("onetimeProduct") or {}).get("name") or "Order")
    order_id = str(node.get("id"))
    records.append(_order(order_id, who, OrderKind.ONE_TIME, status, name, net, tax, gross,
                          rate, details, moment(node.get("createdAt"), "created_at"),
                          revision, None))
    for payment in payments:
        records += payment_records(node, payment, order_id=order_id, kind=OrderKind.ONE_TIME,
                                   product=name, revision=revision)
    return records


def plan_records(data: Node, currency: str, default_group: str,
                 revision: int) -> list[PlanRecord]:
    """Subscription products as plans: priced in ``currency`` where Waffo has that price,
    grouped by Waffo's product groups (plan changes stay within a group)."""
    groups: dict[str, str] = {}
    for group in data.get("subscriptionProductGroups") or ():
        for product_id in group.get("productIds") or ():
            groups.setdefault(str(product_id), str(group.get("id")))
    plans = []
    for product in data.get("subscriptionProducts") or ():
        prices: Sequence[Node] = product.get("prices") or ()
        chosen = next((p for p in prices if p.get("currency") == currency),
                      prices[0] if prices else None)
        period = product.get("billingPeriod")
        if chosen is None or period not in BillingPeriod._value2member_map_:
            log.info("Waffo product %s has no usable price or period", product.get("id"))
            continue
        price = money((chosen.get("priceInfo") or {}).get("amount"), str(chosen["currency"]))
        plans.append(PlanRecord(Plan(
            id=str(product.get("id")), name=str(product.get("name") or "")[:200],
            product_group=groups.get(str(product.get("id")), default_group), price=price,
            period=BillingPeriod(period), selectable=product.get("status") == "active"),
            revision))
    return plans
