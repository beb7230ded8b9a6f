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
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Final

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
from .shapes import Node, moment, node, nodes, optional_moment, short_id, text, unreadable

log = logging.getLogger("waffo_portal.providers.waffo")


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
# Where a change scheduled for the period end can still be waiting.
_SCHEDULABLE: Final = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE})
_ONETIME_STATUS: Final[Mapping[str, OrderStatus]] = {
    "pending": OrderStatus.PENDING, "completed": OrderStatus.COMPLETED,
    "canceled": OrderStatus.CANCELED,
}


def buyer_id(order: Node) -> str:
    """The merchant's own id for the buyer (``buyerIdentity`` at checkout), else one
    derived from the email: orders bought anonymously still land on one buyer."""
    identity = order.get("merchantProvidedBuyerIdentity")
    if isinstance(identity, str) and 0 < len(identity) <= 64 and identity == identity.strip():
        return identity
    email = text(order.get("buyerEmail"), "buyerEmail").strip().lower()
    return "waffo-" + hashlib.sha256(email.encode()).hexdigest()[:24]


def billing_details(order: Node) -> BillingDetails:
    raw = order.get("billingDetail")
    if not isinstance(raw, Mapping) or not isinstance(raw.get("country"), str):
        raise ValidationError({"billing_details.country": "billing.country_required"})
    country = raw["country"]
    state = text(raw.get("state"), "billingDetail.state")
    if state and "-" not in state:  # Waffo: "CA"; the portal: ISO 3166-2 "US-CA"
        state = f"{country}-{state}"
    return BillingDetails(country=country, state=state,
                          postal_code=text(raw.get("postcode"), "billingDetail.postcode"),
                          business_name=text(raw.get("businessName"),
                                             "billingDetail.businessName"),
                          tax_id=text(raw.get("taxId"), "billingDetail.taxId"),
                          is_business=raw.get("isBusiness") is True)


def _parties(order: Node, revision: int) -> tuple[str, BillingDetails, list[SyncRecord]]:
    buyer = Buyer(id=buyer_id(order), email=text(order.get("buyerEmail"), "buyerEmail").strip())
    details = billing_details(order)
    return buyer.id, details, [BuyerRecord(buyer, revision),
                               BillingDetailsRecord(buyer.id, details, revision)]


def _amounts(raw: object) -> tuple[Money, Money, Money, Decimal]:
    """Net, tax, gross and the tax rate in percent of one amount snapshot."""
    snapshot = node(raw, "snapshotAmountDetails")
    currency = text(snapshot.get("currency"), "snapshotAmountDetails.currency")
    gross = money(snapshot.get("total"), currency)
    tax = money(snapshot.get("taxAmount") or "0", currency)
    subtotal = snapshot.get("subtotal")
    net = gross - tax if subtotal is None else money(subtotal, currency)
    if net + tax != gross:
        raise ValidationError({"amount": "sync.total_mismatch"})
    rate = Decimal(0) if not net else (Decimal(tax.amount) * 100 / Decimal(net.amount))
    return net, tax, gross, rate.quantize(Decimal("0.01")).normalize()


def _refunds(raw: object, currency: str, payment_id: str) -> tuple[Refund, ...]:
    refunds = []
    for index, item in enumerate(nodes(raw, "payments.refunds")):
        if item.get("status") != "succeeded":
            continue  # pending, rejected and failed refunds moved no money
        amount = node(item.get("requestedAmountDetails"), "refunds.requestedAmountDetails")
        refunds.append(Refund(
            id=text(item.get("id"), "refunds.id") or f"{payment_id}-r{index}",
            amount=money(amount.get("amount"), currency),
            created_at=moment(item.get("createdAt"), "refunds.createdAt")))
    return tuple(refunds)


def _method(raw: object) -> PaymentMethod | None:
    if not isinstance(raw, Mapping):
        return None
    brand, last4 = raw.get("brand"), raw.get("last4")
    if (not isinstance(last4, str) or len(last4) != 4 or not last4.isascii()
            or not last4.isdigit()):
        return None
    return PaymentMethod(brand=(brand if isinstance(brand, str) and brand else "card")
                         .lower()[:20], last4=last4)


def payment_records(payment: Node, *, order_id: str, kind: OrderKind, product: str,
                    who: str, details: BillingDetails, subscription_id: str | None,
                    revision: int) -> list[SyncRecord]:
    """One payment of buyer ``who`` as a portal order (unless the order is the one-time
    order itself, written by the caller) and a payment."""
    pid = short_id(payment.get("id"), "payments.id")
    status = _PAYMENT_STATUS.get(str(payment.get("status")), PaymentStatus.PENDING)
    net, tax, gross, rate = _amounts(payment.get("snapshotAmountDetails"))
    created = moment(payment.get("createdAt"), "payments.createdAt")
    refunds = _refunds(payment.get("refunds"), gross.currency, pid)
    records: list[SyncRecord] = []
    if kind is OrderKind.SUBSCRIPTION:
        refunded = sum(r.amount.amount for r in refunds)
        order_status = (OrderStatus.REFUNDED if refunds and refunded >= gross.amount
                        else _ORDER_STATUS[status])
        records.append(_order(order_id, who, kind, order_status, product, net, tax, gross,
                              rate, details, created, revision, subscription_id))
    records.append(PaymentRecord(Payment(
        id=pid, order_id=order_id, buyer_id=who, amount=gross, status=status,
        created_at=created, method=_method(payment.get("cardInfo")),
        failure_reason=text(payment.get("failureReason"), "failureReason")[:200],
        refunds=refunds, provider_reference=pid), revision))
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


def _schedule(scheduled: ScheduledChange | None, status: SubscriptionStatus,
              plan_id: str) -> ScheduledChange | None:
    """A change scheduled for the period end can wait only on a running subscription;
    one back to the current plan (an undone downgrade) is no change."""
    if scheduled is None or status not in _SCHEDULABLE or scheduled.plan_id == plan_id:
        return None
    return scheduled


def subscription_records(order: Node, revision: int, *,
                         scheduled: ScheduledChange | None = None,
                         resolves_pending: bool = False) -> list[SyncRecord]:
    """A subscription order with its buyer, billing details and every payment.

    ``scheduled``: the change Waffo's ``plan_change_scheduled`` event announced (its reads
    carry none); ``resolves_pending``: the read answers a change the buyer was sent to
    confirm (any other read leaves that mark to the portal)."""
    status = _SUBSCRIPTION_STATUS.get(str(order.get("status")))
    order_id = short_id(order.get("id"), "id")
    who, details, records = _parties(order, revision)
    if status is None:  # pending (unpaid), closed (never active), or a state new to us
        log.info("Waffo subscription %s is %r: not shown", order_id, order.get("status"))
        return records
    product = node(order.get("subscriptionProduct"), "subscriptionProduct")
    plan_id = short_id(product.get("id"), "subscriptionProduct.id")
    name = text(product.get("name"), "subscriptionProduct.name") or "Subscription"
    payments = nodes(order.get("payments"), "payments")
    for payment in payments:
        records += payment_records(
            payment, order_id=short_id(payment.get("id"), "payments.id"),
            kind=OrderKind.SUBSCRIPTION, product=name, who=who, details=details,
            subscription_id=order_id, revision=revision)
    start = moment(order.get("currentPeriodStart"), "currentPeriodStart")
    end = moment(order.get("currentPeriodEnd"), "currentPeriodEnd")
    canceled_at = optional_moment(order.get("canceledAt"), "canceledAt")
    cancellation = None
    if status in (SubscriptionStatus.CANCELING, SubscriptionStatus.CANCELED):
        asked = canceled_at or start
        cancellation = Cancellation(reason=None, comment="", requested_at=asked,
                                    effective_at=max(asked, end) if status is
                                    SubscriptionStatus.CANCELING else asked)
    paid = [p for p in payments if p.get("status") == "succeeded"]
    keep = ["pending_change"] if not resolves_pending else []
    if scheduled is None:
        # Waffo's reads carry no scheduled change: one the portal holds from the
        # plan_change_scheduled event stays until it happens or cannot any more.
        keep.append("scheduled_change")
    records.append(SubscriptionRecord(Subscription(
        id=order_id, buyer_id=who, plan_id=plan_id, status=status,
        current_period_start=start, current_period_end=end,
        created_at=moment(order.get("createdAt"), "createdAt"),
        scheduled_change=_schedule(scheduled, status, plan_id), cancellation=cancellation,
        payment_method=_method(paid[-1].get("cardInfo")) if paid else None), revision,
        keep_stored=tuple(keep)))
    return records


def onetime_records(order: Node, revision: int) -> list[SyncRecord]:
    """A one-time order with its buyer and payments; amounts from its paid payment."""
    payments = nodes(order.get("payments"), "payments")
    if not payments:
        return []
    status = _ONETIME_STATUS.get(str(order.get("status")), OrderStatus.PENDING)
    paid = [p for p in payments if p.get("status") == "succeeded"] or payments
    net, tax, gross, rate = _amounts(paid[-1].get("snapshotAmountDetails"))
    who, details, records = _parties(order, revision)
    product = order.get("onetimeProduct")
    name = (text(node(product, "onetimeProduct").get("name"), "onetimeProduct.name")
            if product is not None else "") or "Order"
    order_id = short_id(order.get("id"), "id")
    records.append(_order(order_id, who, OrderKind.ONE_TIME, status, name, net, tax, gross,
                          rate, details, moment(order.get("createdAt"), "createdAt"),
                          revision, None))
    for payment in payments:
        records += payment_records(payment, order_id=order_id, kind=OrderKind.ONE_TIME,
                                   product=name, who=who, details=details,
                                   subscription_id=None, revision=revision)
    return records


def _groups(data: Node) -> dict[str, str]:
    groups: dict[str, str] = {}
    for group in nodes(data.get("subscriptionProductGroups"), "subscriptionProductGroups"):
        members = group.get("productIds")
        for product_id in members if isinstance(members, list) else ():
            groups.setdefault(str(product_id), text(group.get("id"), "groups.id"))
    return groups


def plan_records(data: Node, currency: str, default_group: str,
                 revision: int) -> list[PlanRecord]:
    """Subscription products as plans: priced in ``currency`` where Waffo has that price,
    grouped by Waffo's product groups (plan changes stay within a group). A product that
    cannot be read is left out and logged (one bad product must not hide the others)."""
    groups, plans = _groups(data), []
    for product in nodes(data.get("subscriptionProducts"), "subscriptionProducts"):
        try:
            plans.append(PlanRecord(_plan(product, currency, groups, default_group),
                                    revision))
        except ValidationError as error:
            log.warning("Waffo product %r left out: %s", product.get("id"), error.keys)
    return plans


def _plan(product: Node, currency: str, groups: Mapping[str, str],
          default_group: str) -> Plan:
    product_id = short_id(product.get("id"), "subscriptionProducts.id")
    prices = nodes(product.get("prices"), "subscriptionProducts.prices")
    chosen = next((p for p in prices if p.get("currency") == currency),
                  prices[0] if prices else None)
    period = product.get("billingPeriod")
    if chosen is None or period not in BillingPeriod._value2member_map_:
        raise unreadable("subscriptionProducts.prices")
    info = node(chosen.get("priceInfo"), "prices.priceInfo")
    price = money(info.get("amount"), text(chosen.get("currency"), "prices.currency"))
    return Plan(id=product_id, name=text(product.get("name"), "name")[:200] or product_id,
                product_group=groups.get(product_id, default_group), price=price,
                period=BillingPeriod(str(period)), selectable=product.get("status") == "active")
