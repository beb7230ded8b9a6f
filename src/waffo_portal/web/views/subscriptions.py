"""Subscriptions: list, detail, payment method, plan change, cancel and reactivate.

Plan change is three steps: choose a tier -> review (a quote, and a fresh idempotency
key in a hidden field) -> confirm (POST). A double submit of one review page sends the
same key, so the buyer is charged once. A declined card shows the review again with a
new key (status 402); a timeout shows it with the *same* key (status 504), because the
provider may have charged and retrying with that key is what makes it charge at most once.
"""

from __future__ import annotations

import secrets
from typing import Any

import attrs

from ...core.exceptions import (
    PaymentDeclined,
    PaymentFailed,
    ProviderUnavailable,
    ValidationError,
)
from ...core.lifecycle import next_bill
from ...core.models import CancellationReason, Plan, Subscription
from ...core.money import Money
from ..forms import translated_errors
from ..http import Response
from ..messages import REASON_LABELS
from ..page import Page, redirect_to

RESULT_MESSAGES = frozenset({"upgraded", "scheduled", "switched", "canceled", "reactivated"})


@attrs.frozen
class Summary:
    """What a buyer needs to know about one subscription, next bill included."""

    subscription: Subscription
    plan: Plan | None
    next_plan: Plan | None  # a scheduled downgrade, if any
    next_billing_at: Any
    next_amount: Money | None  # None: no further bill (canceling or ended)
    pending_plan: Plan | None = None  # a change awaiting confirmation at the provider


def summarize(page: Page, subscription: Subscription) -> Summary:
    return _summary(page, subscription, page.portal.find_plan(subscription.plan_id))


def summaries(page: Page) -> list[Summary]:
    """The buyer's subscriptions, newest first, their plans read with them."""
    return [_summary(page, subscription, plan) for subscription, plan
            in page.portal.list_subscriptions_with_plans(page.buyer_id)]


def _summary(page: Page, subscription: Subscription, plan: Plan | None) -> Summary:
    change = subscription.scheduled_change
    next_plan = page.portal.find_plan(change.plan_id) if change else None
    billed_at, amount = next_bill(subscription, plan, next_plan)
    pending = subscription.pending_change
    pending_plan = (page.portal.find_plan(pending.plan_id)
                    if pending is not None and pending.open_at(page.portal.now()) else None)
    return Summary(subscription, plan, next_plan, billed_at, amount, pending_plan)


def new_key() -> str:
    return secrets.token_urlsafe(24)


def subscription_list(page: Page) -> Response:
    return page.render("subscriptions.html", subscriptions=summaries(page))


def subscription_detail(page: Page, subscription_id: str) -> Response:
    subscription = page.portal.get_subscription(page.buyer_id, subscription_id)
    message = page.request.query.get_one("msg")
    return page.render("subscription.html", s=summarize(page, subscription),
                       message=message if message in RESULT_MESSAGES else "", key=new_key(),
                       provider_mode=page.portal.provider_mode)


def to_provider(page: Page, url: str) -> Response:
    """A 303 to the billing provider's page, only under one of its declared origins
    (the CSP's ``form-action`` admits exactly those; anything else is refused here)."""
    origins = page.portal.redirect_origins
    if origins and not any(url == o or url.startswith(o.rstrip("/") + "/") for o in origins):
        raise ProviderUnavailable("the provider sent the buyer to an undeclared origin",
                                  url=url)
    return redirect_to(url)


def _back_url(page: Page, subscription_id: str) -> str:
    return f"{page.config.base_url.rstrip('/')}/subscriptions/{subscription_id}"


def update_payment_method(page: Page, subscription_id: str) -> Response:
    return to_provider(page, page.portal.payment_method_update_url(
        page.buyer_id, subscription_id, return_url=_back_url(page, subscription_id)))


def _choose_page(page: Page, subscription_id: str, status: int = 200,
                 errors: dict[str, str] | None = None) -> Response:
    subscription = page.portal.get_subscription(page.buyer_id, subscription_id)
    options = page.portal.plan_options(page.buyer_id, subscription_id)
    return page.render("change.html", status, s=summarize(page, subscription), options=options,
                       errors=errors or {})


def choose_plan(page: Page, subscription_id: str) -> Response:
    return _choose_page(page, subscription_id)


def _review_page(page: Page, subscription_id: str, plan_id: str, key: str, *,
                 status: int = 200, problem: str = "") -> Response:
    try:
        quote = page.portal.quote_plan_change(page.buyer_id, subscription_id, plan_id)
    except ValidationError as exc:
        return _choose_page(page, subscription_id, 422, translated_errors(page, exc))
    form_page = page.url(f"/subscriptions/{subscription_id}/change/review", {"plan": plan_id})
    return page.render("review.html", status, quote=quote, key=key, problem=problem,
                       subscription_id=subscription_id, form_page=form_page,
                       at_provider=page.portal.plan_changes_confirmed_at_provider)


def review_change(page: Page, subscription_id: str) -> Response:
    plan_id = page.request.query.get_one("plan")[:128]
    return _review_page(page, subscription_id, plan_id, new_key())


def confirm_change(page: Page, subscription_id: str) -> Response:
    form = page.request.form
    plan_id, key = form.get_one("plan")[:128], form.get_one("idempotency_key")[:128]
    try:
        outcome = page.portal.change_plan(page.buyer_id, subscription_id, plan_id,
                                          idempotency_key=key,
                                          return_url=_back_url(page, subscription_id))
    except PaymentDeclined:
        return _review_page(page, subscription_id, plan_id, new_key(), status=402,
                            problem="declined")
    except PaymentFailed:  # a timeout: keep the key, so a retry charges at most once
        return _review_page(page, subscription_id, plan_id, key, status=504, problem="timeout")
    except ValidationError as exc:
        return _choose_page(page, subscription_id, 422, translated_errors(page, exc))
    if outcome.status == "confirm":  # the buyer confirms on the provider's page
        return to_provider(page, outcome.redirect_url)
    message = {"upgrade": "upgraded", "downgrade": "scheduled"}.get(outcome.kind, "switched")
    return page.redirect(f"/subscriptions/{subscription_id}", {"msg": message})


def _cancel_page(page: Page, subscription_id: str, status: int = 200,
                 values: dict[str, str] | None = None,
                 errors: dict[str, str] | None = None) -> Response:
    subscription = page.portal.get_subscription(page.buyer_id, subscription_id)
    reasons = [(r.value, REASON_LABELS[r.value]) for r in CancellationReason]
    return page.render("cancel.html", status, s=summarize(page, subscription), reasons=reasons,
                       values=values or {"reason": "", "comment": ""}, errors=errors or {},
                       key=new_key(), provider_mode=page.portal.provider_mode)


def cancel_form(page: Page, subscription_id: str) -> Response:
    return _cancel_page(page, subscription_id)


def confirm_cancel(page: Page, subscription_id: str) -> Response:
    form = page.request.form
    values = {"reason": form.get_one("reason")[:64], "comment": form.get_one("comment")[:5000]}
    try:
        outcome = page.portal.cancel_subscription(
            page.buyer_id, subscription_id, reason=values["reason"] or None,
            comment=values["comment"], idempotency_key=form.get_one("idempotency_key")[:128])
    except ValidationError as exc:
        return _cancel_page(page, subscription_id, 422, values, translated_errors(page, exc))
    if outcome.status == "confirm":
        return to_provider(page, outcome.redirect_url)
    return page.redirect(f"/subscriptions/{subscription_id}", {"msg": "canceled"})


def reactivate(page: Page, subscription_id: str) -> Response:
    """The subscription page then states the plan that renews, its price and date, as
    the stored subscription says (with a provider: after the provider's answer)."""
    outcome = page.portal.reactivate_subscription(
        page.buyer_id, subscription_id,
        idempotency_key=page.request.form.get_one("idempotency_key")[:128])
    if outcome.status == "confirm":
        return to_provider(page, outcome.redirect_url)
    return page.redirect(f"/subscriptions/{subscription_id}", {"msg": "reactivated"})
