"""Building the orders and payments the portal itself creates (upgrades, renewals).

Plan prices include tax. The tax of a portal-made order comes from the tax policy
(``Deps.tax``) applied to the buyer's billing details as they are when the order is
made, never copied from an earlier order: a buyer who moved from DE to AT, or became
an Austrian business with a VAT id, is taxed as that from the next order on. Every
paid order is numbered (its invoice issued) in the same transaction as the payment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ..core import lifecycle
from ..core.charges import ChargeResult
from ..core.config import PortalConfig
from ..core.exceptions import ConfigurationError
from ..core.models import (
    BillingDetails,
    LineItem,
    Order,
    OrderKind,
    OrderStatus,
    Payment,
    PaymentStatus,
    Subscription,
    SubscriptionStatus,
)
from ..core.money import Money
from ..core.tax import RateTablePolicy, seller_problems, sums_from_gross
from ..ports import RefundingGateway
from .context import Deps, log, new_id


def default_tax_policy(config: PortalConfig) -> RateTablePolicy:
    """The EU rule over ``config.tax_rates``; every missing rate, and what the invoices
    would lack of the seller, is named at once."""
    branding = config.branding
    policy = RateTablePolicy(branding.country, config.tax_rates)
    problems = policy.problems() + seller_problems(branding.name, branding.address,
                                                   branding.tax_id, config.tax_rates)
    if problems:
        raise ConfigurationError("; ".join(f"{setting}: {message}"
                                           for setting, message in problems),
                                 setting=problems[0][0])
    return policy


def record_paid_order(deps: Deps, subscription: Subscription, lines: Sequence[LineItem],
                      charge: ChargeResult | None, now: datetime, *,
                      amount: Money | None = None) -> Order:
    """Store a completed subscription order, its succeeded payment and its invoice
    (inside atomic()). ``charge`` None: a zero amount, recorded without the gateway."""
    total = charge.amount if charge is not None else amount
    if total is None:
        raise ValueError("an order without a charge needs its (zero) amount")
    order = _subscription_order(deps, subscription, lines, total, now, OrderStatus.COMPLETED)
    deps.store.save_order(order)
    deps.store.save_payment(Payment(
        id=new_id("pay"), order_id=order.id, buyer_id=order.buyer_id, amount=total,
        status=PaymentStatus.SUCCEEDED, created_at=now, method=subscription.payment_method,
        provider_reference=charge.reference if charge is not None else "",
    ))
    deps.store.issue_invoice(order, deps.config.invoice_prefix, now)
    return order


def record_declined_order(deps: Deps, subscription: Subscription, lines: Sequence[LineItem],
                          amount: Money, now: datetime, reason: str) -> Order:
    """Store the open order a declined renewal leaves (inside atomic()): pending, with
    its failed payment, and no invoice number until it is paid. The buyer pays it from
    the portal ("Pay now"); the subscription is past due until then."""
    order = _subscription_order(deps, subscription, lines, amount, now, OrderStatus.PENDING)
    deps.store.save_order(order)
    deps.store.save_payment(Payment(
        id=new_id("pay"), order_id=order.id, buyer_id=order.buyer_id, amount=amount,
        status=PaymentStatus.FAILED, created_at=now, method=subscription.payment_method,
        failure_reason=reason,
    ))
    return order


def _subscription_order(deps: Deps, subscription: Subscription, lines: Sequence[LineItem],
                        total: Money, now: datetime, status: OrderStatus) -> Order:
    if deps.tax is None:
        raise ConfigurationError("the portal makes orders only in standalone mode, which "
                                 "needs a tax policy", setting="tax_rates")
    details = deps.store.get_billing_details(subscription.buyer_id) or BillingDetails(country="")
    treatment = deps.tax.treatment(details, total.currency)
    sums = sums_from_gross(total, treatment)
    return Order(
        id=new_id("ord"), buyer_id=subscription.buyer_id, kind=OrderKind.SUBSCRIPTION,
        status=status, currency=total.currency, line_items=tuple(lines),
        subtotal=sums.subtotal, tax=sums.tax, total=sums.total, tax_rate=treatment.rate,
        billing_details=details, created_at=now, subscription_id=subscription.id,
        prices_include_tax=True, reverse_charge=treatment.reverse_charge,
    )


_PAGE = 50


def find_open_renewal(deps: Deps, subscription: Subscription) -> Order | None:
    """The unpaid renewal a past-due subscription owes (``lifecycle.open_renewal``), however
    many orders the buyer made since. It is dated near its period's start, so the buyer's
    orders are read newest first only back to one period before that."""
    if subscription.status is not SubscriptionStatus.PAST_DUE:
        return None
    length = subscription.current_period_end - subscription.current_period_start
    oldest = subscription.current_period_start - length
    before: tuple[datetime, str] | None = None
    while True:
        orders = deps.store.list_orders(subscription.buyer_id, _PAGE, before)
        found = lifecycle.open_renewal(subscription, orders)
        if found is not None or len(orders) < _PAGE or orders[-1].created_at < oldest:
            return found
        before = (orders[-1].created_at, orders[-1].id)


def give_back(deps: Deps, charge: ChargeResult, *, refund_key: str, reason: str, actor: str,
              subject: str, idempotency_key: str | None = None) -> None:
    """Refund a charge the portal could not use, or, when the gateway cannot refund, log it
    for a manual refund. Audited on ``subject`` as ``<kind>.charge_voided`` or
    ``<kind>.charge_orphaned`` (``kind``: the subject's, e.g. ``order``)."""
    kind = subject.partition(":")[0]
    if isinstance(deps.gateway, RefundingGateway):
        deps.gateway.refund(reference=charge.reference, amount=charge.amount,
                            idempotency_key=refund_key, reason=reason)
        action = f"{kind}.charge_voided"
    else:
        log.error("charge %s (%s) needs a manual refund (the gateway has no refund())",
                  charge.reference, reason)
        action = f"{kind}.charge_orphaned"
    deps.audit(actor=actor, action=action, subject=subject, amount=charge.amount,
               new={"charge_reference": charge.reference}, idempotency_key=idempotency_key)
