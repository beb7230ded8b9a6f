"""The buyer's subscription actions, through the billing provider of record.

Standalone (no provider given), the portal is the billing engine: its own use cases
(``subscriptions``) lease, deduplicate, charge and store. With a provider, the portal
checks ownership and plan rules, leases the subscription for the provider call (so a
double submit cannot reach the provider twice at once), deduplicates on the
idempotency key, and writes what the provider answers through the sync rules; the
provider's amounts and state are authoritative.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import attrs

from ..core import lifecycle
from ..core.exceptions import PlanChangeNotAllowed
from ..core.models import Order, PendingChange
from ..core.proration import PlanChangeQuote
from ..core.provider import ActionStatus, ProviderAction, ProviderOutcome
from ..ports import BillingProvider
from . import subscriptions
from .context import Deps, charged
from .invoices import owned_order
from .standalone import StandaloneProvider
from .subscriptions import ChangeOutcome, check_idempotency_key, get_owned_subscription
from .sync import check, write_batch

# How long a confirmation the provider gave no expiry for is shown as pending (Waffo's
# checkout sessions last 45 minutes by default).
PENDING_LIFETIME = timedelta(minutes=45)

# The event each kind of change emits, as the standalone engine names them.
_EVENTS = {"cancel": "canceling", "reactivate": "reactivated", "undo_change": "change_undone"}


def provider(deps: Deps) -> BillingProvider:
    return deps.provider or StandaloneProvider(deps)


def _action(deps: Deps, buyer_id: str, subscription_id: str, key: str,
            **details: object) -> ProviderAction:
    subscription = get_owned_subscription(deps, buyer_id, subscription_id)
    plan = subscriptions.get_plan(deps, subscription.plan_id)
    return ProviderAction(buyer_id=buyer_id, subscription=subscription, plan=plan,
                          idempotency_key=key, **details)  # type: ignore[arg-type]


def _apply(deps: Deps, outcome: ProviderOutcome) -> None:
    """Inside atomic(): the provider's new state, by the sync rules."""
    if outcome.records:
        check(outcome.records)
        write_batch(deps.store, outcome.records, {}, {}, deps.config.invoice_prefix)


def _through_provider(deps: Deps, verb: str, action: ProviderAction, fingerprint: str,
                      call: Callable[[ProviderAction], tuple[str, ProviderOutcome]],
                      after: Callable[[ProviderOutcome], None] | None = None) -> ChangeOutcome:
    """``call`` checks the portal's rules and asks the provider; it returns the change's
    kind (the event and ``ChangeOutcome.kind``) with the provider's outcome."""
    chosen = provider(deps)
    if isinstance(chosen, StandaloneProvider):  # it leases and deduplicates itself
        kind, outcome = call(action)
        assert outcome.stored is not None
        return ChangeOutcome(outcome.stored, kind, outcome.amount_charged,
                             outcome.effective_at or deps.clock.now(), outcome.order_id,
                             outcome.status.value)
    buyer_id, subscription_id = action.buyer_id, action.subscription.id

    def work() -> ChangeOutcome:
        with subscriptions.leased(deps, subscription_id, action.idempotency_key):
            kind, outcome = call(action)
            with deps.store.atomic():
                _apply(deps, outcome)
                if after is not None:
                    after(outcome)
                deps.audit(actor=f"buyer:{buyer_id}", action=f"provider.{verb}",
                           subject=f"subscription:{subscription_id}",
                           new={"provider": chosen.name, "status": outcome.status.value},
                           amount=outcome.amount_charged,
                           idempotency_key=action.idempotency_key)
            current = get_owned_subscription(deps, buyer_id, subscription_id)
        if outcome.status is not ActionStatus.CONFIRM:
            deps.emit(f"subscription.{_EVENTS.get(kind, kind)}", buyer_id, subscription_id,
                      provider=chosen.name, status=outcome.status.value,
                      **charged(outcome.amount_charged))
        return ChangeOutcome(current, kind, outcome.amount_charged,
                             outcome.effective_at or deps.clock.now(), outcome.order_id,
                             outcome.status.value, outcome.redirect_url)

    return subscriptions.idempotent(deps, f"provider:{verb}", buyer_id, action.idempotency_key,
                                    fingerprint, work)


def quote_change(deps: Deps, buyer_id: str, subscription_id: str,
                 new_plan_id: str) -> PlanChangeQuote:
    """The provider's quote if it gives one, else the portal's proration preview."""
    portal_quote = subscriptions.quote_change(deps, buyer_id, subscription_id, new_plan_id)
    chosen = provider(deps)
    if isinstance(chosen, StandaloneProvider):
        return portal_quote
    action = _action(deps, buyer_id, subscription_id, "", new_plan=portal_quote.new_plan)
    return chosen.quote_change(action) or portal_quote


def change_plan(deps: Deps, buyer_id: str, subscription_id: str, new_plan_id: str,
                idempotency_key: str, return_url: str = "") -> ChangeOutcome:
    check_idempotency_key(idempotency_key)
    chosen = provider(deps)
    action = _action(deps, buyer_id, subscription_id, idempotency_key,
                     new_plan=deps.store.get_plan(new_plan_id), return_url=return_url)

    def call(action: ProviderAction) -> tuple[str, ProviderOutcome]:
        if isinstance(chosen, StandaloneProvider):
            return chosen.change(action, new_plan_id)
        # The portal's own rules first (plan offered, same group and currency, not past
        # due); a replay of the same key never gets here, it returns the stored outcome.
        quote = subscriptions.quote_change(deps, buyer_id, subscription_id, new_plan_id)
        pending = action.subscription.pending_change
        if (pending is not None and pending.open_at(deps.clock.now())
                and pending.plan_id != new_plan_id):
            # Two confirmation pages for two targets could both be confirmed.
            raise PlanChangeNotAllowed(key="plan.change_pending",
                                       subscription_id=subscription_id)
        return quote.kind.value, chosen.change_plan(action)

    def mark_pending(outcome: ProviderOutcome) -> None:
        # Sent to confirm on the provider's page: shown as pending, nothing switched.
        # The provider's answer (its plan-change webhook) clears the mark; unanswered, it
        # lapses when the provider's page expires.
        if outcome.status is ActionStatus.CONFIRM:
            now = deps.clock.now()
            current = get_owned_subscription(deps, buyer_id, subscription_id)
            deps.store.save_subscription(attrs.evolve(current, pending_change=PendingChange(
                new_plan_id, now, outcome.effective_at or now + PENDING_LIFETIME)))

    return _through_provider(deps, "change_plan", action, f"{subscription_id}|{new_plan_id}",
                             call, after=mark_pending)


def cancel(deps: Deps, buyer_id: str, subscription_id: str, reason: str | None, comment: str,
           idempotency_key: str) -> ChangeOutcome:
    check_idempotency_key(idempotency_key)
    parsed, clean = lifecycle.parse_cancellation(reason, comment)
    chosen = provider(deps)
    action = _action(deps, buyer_id, subscription_id, idempotency_key,
                     reason=parsed.value if parsed else None, comment=clean)

    def call(action: ProviderAction) -> tuple[str, ProviderOutcome]:
        if not isinstance(chosen, StandaloneProvider):  # raises if no longer cancelable
            lifecycle.cancel_at_period_end(action.subscription, parsed, clean,
                                           deps.clock.now())
        return "cancel", chosen.cancel(action)

    def keep_reason(_outcome: ProviderOutcome) -> None:
        # Providers have no field for the buyer's reason: the portal keeps its own.
        current = get_owned_subscription(deps, buyer_id, subscription_id)
        stated = current.cancellation
        if stated is not None and stated.reason is None and (parsed or clean):
            deps.store.save_subscription(attrs.evolve(
                current, cancellation=attrs.evolve(stated, reason=parsed, comment=clean)))

    return _through_provider(deps, "cancel", action, f"{subscription_id}|{parsed}|{clean}",
                             call, after=keep_reason)


def reactivate(deps: Deps, buyer_id: str, subscription_id: str,
               idempotency_key: str) -> ChangeOutcome:
    check_idempotency_key(idempotency_key)
    chosen = provider(deps)
    action = _action(deps, buyer_id, subscription_id, idempotency_key)

    def call(action: ProviderAction) -> tuple[str, ProviderOutcome]:
        if not isinstance(chosen, StandaloneProvider):  # raises if not reactivatable
            lifecycle.reactivate(action.subscription, deps.clock.now())
        return "reactivate", chosen.reactivate(action)

    return _through_provider(deps, "reactivate", action, subscription_id, call)


def undo_scheduled_change(deps: Deps, buyer_id: str, subscription_id: str,
                          idempotency_key: str, return_url: str = "") -> ChangeOutcome:
    check_idempotency_key(idempotency_key)
    chosen = provider(deps)
    action = _action(deps, buyer_id, subscription_id, idempotency_key, return_url=return_url)

    def call(action: ProviderAction) -> tuple[str, ProviderOutcome]:
        if (not isinstance(chosen, StandaloneProvider)
                and action.subscription.scheduled_change is None):
            raise PlanChangeNotAllowed(key="change.nothing_scheduled",
                                       subscription_id=subscription_id)
        return "undo_change", chosen.undo_scheduled_change(action)

    return _through_provider(deps, "undo_change", action, subscription_id, call)


def payment_method_update_url(deps: Deps, buyer_id: str, subscription_id: str,
                              return_url: str) -> str:
    action = _action(deps, buyer_id, subscription_id, "", return_url=return_url)
    return provider(deps).payment_method_update_url(action)


def pay_order(deps: Deps, buyer_id: str, order_id: str, idempotency_key: str,
              return_url: str) -> ProviderOutcome:
    check_idempotency_key(idempotency_key)
    order: Order = owned_order(deps, buyer_id, order_id)
    chosen = provider(deps)
    outcome = chosen.pay_open_invoice(order, idempotency_key=idempotency_key,
                                      return_url=return_url)
    if outcome.records:
        with deps.store.atomic():
            _apply(deps, outcome)
            deps.audit(actor=f"buyer:{buyer_id}", action="provider.pay_order",
                       subject=f"order:{order_id}",
                       new={"provider": chosen.name, "status": outcome.status.value},
                       amount=outcome.amount_charged, idempotency_key=idempotency_key)
    return outcome
