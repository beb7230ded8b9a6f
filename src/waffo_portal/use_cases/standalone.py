"""``StandaloneProvider``: the portal as its own billing engine, behind the provider port.

This is the portal's behaviour from before it had a port: plan changes prorated and
charged through the ``PaymentGateway``, downgrades and cancellations at the period end,
renewals by ``apply_due``. It writes the store itself, so each outcome carries
``stored`` (the saved subscription) and no sync records.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from ..core import lifecycle
from ..core.charges import ChargeResult
from ..core.exceptions import PaymentDeclined, PlanChangeNotAllowed
from ..core.models import Order, OrderStatus, Payment, PaymentStatus
from ..core.proration import PlanChangeQuote
from ..core.provider import ActionStatus, ProviderAction, ProviderOutcome
from . import subscriptions
from .context import Deps, charged
from .orders import find_open_renewal, give_back
from .subscriptions import ChangeOutcome


def _outcome(change: ChangeOutcome) -> ProviderOutcome:
    return ProviderOutcome(status=ActionStatus(change.status), effective_at=change.effective_at,
                           amount_charged=change.amount_charged, order_id=change.order_id,
                           stored=change.subscription)


class StandaloneProvider:
    """The default provider: the portal decides, the gateway only charges."""

    name = "standalone"
    redirect_origins: tuple[str, ...] = ()

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        # The gateway's hosted card page lives somewhere; a gateway MAY name its origins.
        self.redirect_origins = tuple(getattr(deps.gateway, "redirect_origins", ()))

    def quote_change(self, action: ProviderAction) -> PlanChangeQuote | None:
        return None  # the portal's proration is the price

    def change_plan(self, action: ProviderAction) -> ProviderOutcome:
        assert action.new_plan is not None
        return self.change(action, action.new_plan.id)[1]

    def change(self, action: ProviderAction, new_plan_id: str) -> tuple[str, ProviderOutcome]:
        """``change_plan`` by plan id (an unknown one is the use case's ValidationError),
        with the kind of change it was (upgrade, downgrade, trial switch)."""
        done = subscriptions.change_plan(self._deps, action.buyer_id, action.subscription.id,
                                         new_plan_id, action.idempotency_key)
        return done.kind, _outcome(done)

    def cancel(self, action: ProviderAction) -> ProviderOutcome:
        return _outcome(subscriptions.cancel(
            self._deps, action.buyer_id, action.subscription.id, action.reason,
            action.comment, action.idempotency_key))

    def reactivate(self, action: ProviderAction) -> ProviderOutcome:
        return _outcome(subscriptions.reactivate(
            self._deps, action.buyer_id, action.subscription.id, action.idempotency_key))

    def undo_scheduled_change(self, action: ProviderAction) -> ProviderOutcome:
        return _outcome(subscriptions.undo_scheduled_change(
            self._deps, action.buyer_id, action.subscription.id, action.idempotency_key))

    def payment_method_update_url(self, action: ProviderAction) -> str:
        return self._deps.gateway.payment_method_update_url(
            buyer_id=action.buyer_id, subscription_id=action.subscription.id,
            return_url=action.return_url)

    def _charge_attempt(self, order: Order) -> ChargeResult:
        deps = self._deps
        payments = deps.store.list_payments(order.id)
        attempt = sum(p.status is PaymentStatus.FAILED for p in payments)
        try:
            return deps.gateway.charge(
                buyer_id=order.buyer_id, subscription_id=order.subscription_id,
                amount=order.total, idempotency_key=f"pay_order:{order.id}:{attempt}",
                description=f"Order {order.id}")
        except PaymentDeclined as declined:
            deps.store.save_payment(Payment(
                id=f"pay_{order.id}_{attempt}", order_id=order.id, buyer_id=order.buyer_id,
                amount=order.total, status=PaymentStatus.FAILED, created_at=deps.clock.now(),
                failure_reason=declined.reason))
            raise

    def _settled_meanwhile(self, order: Order, current: Order | None,
                           charge: ChargeResult) -> ProviderOutcome:
        """The order stopped being open while the charge ran: another tab paid it (the same
        attempt key, so the same charge: nothing to do), or the subscription expired and
        voided it (the money is given back, or audited for a manual refund)."""
        deps = self._deps
        if current is not None and current.status is OrderStatus.COMPLETED:
            return ProviderOutcome(status=ActionStatus.APPLIED, effective_at=deps.clock.now(),
                                   amount_charged=charge.amount, order_id=order.id)
        if charge.reference:
            give_back(deps, charge, refund_key=f"void:{order.id}:{charge.reference}",
                      reason="order voided while it was being paid",
                      actor=f"buyer:{order.buyer_id}", subject=f"order:{order.id}")
        raise PlanChangeNotAllowed(key="order.not_open", order_id=order.id)

    def _record_paid(self, order: Order, charge: ChargeResult, idempotency_key: str,
                     now: datetime) -> None:
        """The order paid, its invoice numbered, and a past due ended (inside atomic())."""
        deps = self._deps
        paid = attrs.evolve(order, status=OrderStatus.COMPLETED)
        deps.store.save_order(paid)
        deps.store.save_payment(Payment(
            id=f"pay_{order.id}", order_id=order.id, buyer_id=order.buyer_id,
            amount=charge.amount, status=PaymentStatus.SUCCEEDED, created_at=now,
            provider_reference=charge.reference))
        deps.store.issue_invoice(paid, deps.config.invoice_prefix, now)  # numbered on payment
        owner = deps.store.get_subscription(order.subscription_id or "")
        if owner is not None:  # the late-paid renewal ends the past due
            still_owed = find_open_renewal(deps, owner)
            back = lifecycle.recovered(owner, [still_owed] if still_owed else [])
            if back != owner:
                deps.store.save_subscription(back)
        deps.audit(actor=f"buyer:{order.buyer_id}", action="order.paid",
                   subject=f"order:{order.id}", amount=charge.amount,
                   idempotency_key=idempotency_key)

    def pay_open_invoice(self, order: Order, *, idempotency_key: str,
                         return_url: str) -> ProviderOutcome:
        """Charge an unpaid order's total once per attempt. The charge key is the order's
        plus the number of declines recorded so far: a retry or a second tab after a
        timeout reuses the key (the gateway charges at most once), while a new attempt
        after a decline (a new card) gets a fresh key instead of the remembered decline."""
        deps = self._deps
        if order.status is not OrderStatus.PENDING or order.total.amount < 0:
            raise PlanChangeNotAllowed(key="order.not_open", order_id=order.id)
        # Nothing to pay: record it as paid, never ask the gateway for 0.
        charge = ChargeResult("", order.total) if order.total.amount == 0 else \
            self._charge_attempt(order)
        now = deps.clock.now()
        with deps.store.atomic():
            current = deps.store.get_order(order.id)
            still_open = current is not None and current.status is OrderStatus.PENDING
            if still_open:
                self._record_paid(order, charge, idempotency_key, now)
        if not still_open:  # outside the transaction: its audit entry must stay
            return self._settled_meanwhile(order, current, charge)
        deps.emit("order.paid", order.buyer_id, order.subscription_id, order_id=order.id,
                  **charged(charge.amount))
        return ProviderOutcome(status=ActionStatus.APPLIED, effective_at=now,
                               amount_charged=charge.amount, order_id=order.id)
