"""Conversions between domain models and stored rows, shared by the SQL and Django stores.

A "row" is anything with the columns as attributes (a SQLAlchemy ``Row``, a Django model).
JSON payloads never hold floats: money is ``[minor_units, currency]`` and
instants are ISO-8601 strings with an explicit UTC offset.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..core.auth_models import BuyerSession, LinkPurpose, LoginLink
from ..core.email import EmailMessage, OutboxEmail
from ..core.models import (
    AuditEvent,
    BillingDetails,
    BillingPeriod,
    Buyer,
    Cancellation,
    CancellationReason,
    Invoice,
    LineItem,
    LineKind,
    Order,
    OrderKind,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    PendingChange,
    Plan,
    Refund,
    ScheduledChange,
    Subscription,
    SubscriptionStatus,
    normalize_email,
    utc,
)
from ..core.money import Money

Values = dict[str, Any]



def _money(value: Money | None) -> list[Any] | None:
    return None if value is None else [value.amount, value.currency]


def _unmoney(value: Any) -> Money:
    return Money(int(value[0]), str(value[1]))


def _iso(value: datetime | None) -> str | None:
    return None if value is None else utc(value).isoformat()


def _uniso(value: str | None) -> datetime | None:
    return None if value is None else utc(datetime.fromisoformat(value))


def _method(brand: str | None, last4: str | None) -> PaymentMethod | None:
    return None if brand is None or last4 is None else PaymentMethod(brand, last4)


def _same_currency(order: Order) -> None:
    for money in (order.subtotal, order.tax, order.total):
        if money.currency != order.currency:
            raise ValueError(f"order {order.id}: {money.currency} amount in a "
                             f"{order.currency} order")


# Buyers, billing details, plans
def buyer_values(buyer: Buyer) -> Values:
    return {"id": buyer.id, "email": buyer.email, "locale": buyer.locale, "name": buyer.name,
            "email_normalized": normalize_email(buyer.email)}


def buyer_from(row: Any) -> Buyer:
    return Buyer(row.id, row.email, row.locale, row.name)


def details_json(details: BillingDetails | None) -> Values | None:
    if details is None:
        return None
    return {"country": details.country, "state": details.state,
            "postal_code": details.postal_code, "business_name": details.business_name,
            "tax_id": details.tax_id, "is_business": details.is_business,
            "name": details.name, "address_line1": details.address_line1,
            "address_line2": details.address_line2, "city": details.city}


def details_from(data: Mapping[str, Any] | None) -> BillingDetails | None:
    if data is None:
        return None
    # Snapshots written before the address fields existed read as empty ones.
    return BillingDetails(str(data["country"]), str(data["state"]), str(data["postal_code"]),
                          str(data["business_name"]), str(data["tax_id"]),
                          bool(data["is_business"]), str(data.get("name") or ""),
                          str(data.get("address_line1") or ""),
                          str(data.get("address_line2") or ""), str(data.get("city") or ""))


def plan_values(plan: Plan) -> Values:
    return {"id": plan.id, "name": plan.name, "product_group": plan.product_group,
            "price_minor": plan.price.amount, "currency": plan.price.currency,
            "period": plan.period.value, "trial_days": plan.trial_days,
            "selectable": plan.selectable}


def plan_from(row: Any) -> Plan:
    return Plan(row.id, row.name, row.product_group, Money(row.price_minor, row.currency),
                BillingPeriod(row.period), row.trial_days, bool(row.selectable))


# Subscriptions
def subscription_values(sub: Subscription) -> Values:
    """Every column but ``version`` and the lease, which the store manages."""
    change, cancel, method = sub.scheduled_change, sub.cancellation, sub.payment_method
    pending = sub.pending_change
    return {
        "id": sub.id, "buyer_id": sub.buyer_id, "plan_id": sub.plan_id,
        "status": sub.status.value, "current_period_start": sub.current_period_start,
        "current_period_end": sub.current_period_end, "created_at": sub.created_at,
        "trial_end": sub.trial_end,
        "scheduled_plan_id": change.plan_id if change else None,
        "scheduled_effective_at": change.effective_at if change else None,
        "scheduled_requested_at": change.requested_at if change else None,
        "cancel_reason": cancel.reason.value if cancel and cancel.reason else None,
        "cancel_comment": cancel.comment if cancel else None,
        "cancel_requested_at": cancel.requested_at if cancel else None,
        "cancel_effective_at": cancel.effective_at if cancel else None,
        "method_brand": method.brand if method else None,
        "method_last4": method.last4 if method else None,
        "pending_plan_id": pending.plan_id if pending else None,
        "pending_requested_at": pending.requested_at if pending else None,
        "pending_expires_at": pending.expires_at if pending else None,
    }


def subscription_from(row: Any) -> Subscription:
    change = None
    if row.scheduled_plan_id is not None:
        change = ScheduledChange(row.scheduled_plan_id, row.scheduled_effective_at,
                                 row.scheduled_requested_at)
    cancel = None
    if row.cancel_requested_at is not None:
        reason = None if row.cancel_reason is None else CancellationReason(row.cancel_reason)
        cancel = Cancellation(reason, row.cancel_comment or "", row.cancel_requested_at,
                              row.cancel_effective_at)
    return Subscription(
        id=row.id, buyer_id=row.buyer_id, plan_id=row.plan_id,
        status=SubscriptionStatus(row.status), current_period_start=row.current_period_start,
        current_period_end=row.current_period_end, created_at=row.created_at,
        trial_end=row.trial_end, scheduled_change=change, cancellation=cancel,
        payment_method=_method(row.method_brand, row.method_last4),
        pending_change=None if row.pending_plan_id is None else PendingChange(
            row.pending_plan_id, row.pending_requested_at, row.pending_expires_at),
        version=row.version,
    )


# Orders, payments, invoices
def _line_json(line: LineItem) -> Values:
    return {"description": line.description, "quantity": line.quantity,
            "unit_price": _money(line.unit_price), "amount": _money(line.amount),
            "plan_id": line.plan_id, "period_start": _iso(line.period_start),
            "period_end": _iso(line.period_end), "kind": line.kind.value,
            "plan_name": line.plan_name}


def _line_from(data: Mapping[str, Any]) -> LineItem:
    return LineItem(str(data["description"]), int(data["quantity"]),
                    _unmoney(data["unit_price"]), _unmoney(data["amount"]), data["plan_id"],
                    _uniso(data["period_start"]), _uniso(data["period_end"]),
                    LineKind(data.get("kind") or LineKind.CUSTOM.value),
                    str(data.get("plan_name") or ""))


def order_values(order: Order) -> Values:
    _same_currency(order)
    return {
        "id": order.id, "buyer_id": order.buyer_id, "kind": order.kind.value,
        "status": order.status.value, "currency": order.currency,
        "line_items": [_line_json(line) for line in order.line_items],
        "subtotal_minor": order.subtotal.amount, "tax_minor": order.tax.amount,
        "total_minor": order.total.amount, "tax_rate": str(order.tax_rate),
        "billing_details": details_json(order.billing_details),
        "created_at": order.created_at, "subscription_id": order.subscription_id,
        "tax_note": order.tax_note, "prices_include_tax": order.prices_include_tax,
        "reverse_charge": order.reverse_charge,
    }


def order_from(row: Any) -> Order:
    details = details_from(row.billing_details)
    assert details is not None  # the column is NOT NULL
    return Order(
        id=row.id, buyer_id=row.buyer_id, kind=OrderKind(row.kind),
        status=OrderStatus(row.status), currency=row.currency,
        line_items=tuple(_line_from(item) for item in row.line_items),
        subtotal=Money(row.subtotal_minor, row.currency), tax=Money(row.tax_minor, row.currency),
        total=Money(row.total_minor, row.currency), tax_rate=Decimal(row.tax_rate),
        billing_details=details, created_at=row.created_at,
        subscription_id=row.subscription_id, tax_note=row.tax_note,
        prices_include_tax=bool(row.prices_include_tax), reverse_charge=bool(row.reverse_charge),
    )


def payment_values(payment: Payment) -> Values:
    method = payment.method
    refunds = [{"id": r.id, "amount": _money(r.amount), "created_at": _iso(r.created_at),
                "reason": r.reason} for r in payment.refunds]
    return {
        "id": payment.id, "order_id": payment.order_id, "buyer_id": payment.buyer_id,
        "amount_minor": payment.amount.amount, "currency": payment.amount.currency,
        "status": payment.status.value, "created_at": payment.created_at,
        "method_brand": method.brand if method else None,
        "method_last4": method.last4 if method else None,
        "failure_reason": payment.failure_reason, "refunds": refunds,
        "provider_reference": payment.provider_reference,
    }


def payment_from(row: Any) -> Payment:
    refunds = tuple(Refund(str(r["id"]), _unmoney(r["amount"]), utc(
        datetime.fromisoformat(r["created_at"])), str(r["reason"])) for r in row.refunds)
    return Payment(
        id=row.id, order_id=row.order_id, buyer_id=row.buyer_id,
        amount=Money(row.amount_minor, row.currency), status=PaymentStatus(row.status),
        created_at=row.created_at, method=_method(row.method_brand, row.method_last4),
        failure_reason=row.failure_reason, refunds=refunds,
        provider_reference=row.provider_reference,
    )


def invoice_values(invoice: Invoice) -> Values:
    return {"order_id": invoice.order_id, "number": invoice.number,
            "buyer_id": invoice.buyer_id, "issued_at": invoice.issued_at,
            "billing_details": details_json(invoice.billing_details),
            "revision": invoice.revision, "revised_at": invoice.revised_at}


def invoice_from(row: Any) -> Invoice:
    return Invoice(row.number, row.order_id, row.buyer_id, row.issued_at,
                   details_from(row.billing_details), row.revision, row.revised_at)


# Auth and audit
def link_values(link: LoginLink) -> Values:
    return {"id": link.id, "buyer_id": link.buyer_id, "purpose": link.purpose.value,
            "created_at": link.created_at, "expires_at": link.expires_at,
            "return_to": link.return_to, "used_at": link.used_at,
            "revoked_at": link.revoked_at}


def link_from(row: Any) -> LoginLink:
    return LoginLink(row.id, row.buyer_id, LinkPurpose(row.purpose), row.created_at,
                     row.expires_at, row.return_to, row.used_at, row.revoked_at)


def session_values(session: BuyerSession) -> Values:
    return {"id_hash": session.id_hash, "buyer_id": session.buyer_id,
            "created_at": session.created_at, "expires_at": session.expires_at,
            "revoked_at": session.revoked_at}


def session_from(row: Any) -> BuyerSession:
    return BuyerSession(row.id_hash, row.buyer_id, row.created_at, row.expires_at,
                        row.revoked_at)


def audit_values(event: AuditEvent) -> Values:
    amount = event.amount
    return {"id": event.id, "at": event.at, "actor": event.actor, "action": event.action,
            "subject": event.subject, "old": dict(event.old), "new": dict(event.new),
            "amount_minor": amount.amount if amount else None,
            "currency": amount.currency if amount else None,
            "idempotency_key": event.idempotency_key}


def audit_from(row: Any) -> AuditEvent:
    amount = None if row.amount_minor is None else Money(row.amount_minor, row.currency)
    return AuditEvent(row.id, row.at, row.actor, row.action, row.subject, dict(row.old),
                      dict(row.new), amount, row.idempotency_key)


def outbox_values(item: OutboxEmail) -> Values:
    message = item.message
    body = {"text": message.text, "html": message.html,
            "headers": [list(pair) for pair in message.headers]}
    return {"id": item.id, "recipient": message.to, "subject": message.subject,
            "body": body, "created_at": item.created_at, "attempts": item.attempts,
            "next_attempt_at": item.next_attempt_at, "sent_at": item.sent_at,
            "last_error": item.last_error}


def outbox_from(row: Any) -> OutboxEmail:
    body = row.body or {}
    message = EmailMessage(row.recipient, row.subject, body.get("text", ""),
                           body.get("html", ""),
                           tuple((str(k), str(v)) for k, v in body.get("headers", ())))
    return OutboxEmail(row.id, message, row.created_at, row.next_attempt_at, row.attempts,
                       row.sent_at, row.last_error)
