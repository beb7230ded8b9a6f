"""Plan change: choose a plan (cards) -> review (a quote, and a fresh idempotency key in a
hidden field) -> confirm (POST).

A double submit of one review page sends the same key, so the buyer is charged once. A
declined card shows the review again with a new key (status 402); a timeout shows it
with the *same* key (status 504), because the provider may have charged and retrying
with that key is what makes it charge at most once.

The picker shows one billing period at a time; the period is a GET parameter
(``?period=yearly``), so the toggle is two links and works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import attrs
from babel.numbers import format_percent

from ...core.exceptions import PaymentDeclined, PaymentFailed, ValidationError
from ...core.models import BillingPeriod, Plan, Subscription
from ...core.plan_rules import change_direction, monthly_counterpart, yearly_saving
from ...i18n import babel_locale
from ..forms import translated_errors
from ..http import Response
from ..messages import N_
from ..page import Page
from .subscriptions import back_url, to_provider
from .summary import new_key, summarize

PERIOD_TABS = {"weekly": N_("Weekly"), "monthly": N_("Monthly"),
               "quarterly": N_("Quarterly"), "yearly": N_("Yearly")}


@attrs.frozen
class PlanCard:
    """One plan in the picker. ``direction``: "current", or what
    ``plan_rules.change_direction`` says: "upgrade", "downgrade", "switch" (the same price
    per month) or "later" (dearer, yet applied at the period end)."""

    plan: Plan
    direction: str
    saving: str = ""  # "17 %" in the page's language: yearly against 12 monthly payments
    saving_amount: str = ""


@attrs.frozen
class Picker:
    periods: tuple[str, ...]  # the tabs, shortest period first; one: no tabs
    period: str
    cards: tuple[PlanCard, ...]

    @property
    def choosable(self) -> bool:
        return any(card.direction != "current" for card in self.cards)


def picker(page: Page, subscription: Subscription, current: Plan | None,
           options: Sequence[Plan], wanted: str) -> Picker:
    """The cards of one period: the current plan (marked, not selectable) and the others."""
    every = ([current] if current else []) + list(options)
    found = {plan.period for plan in every}
    periods = tuple(p.value for p in BillingPeriod if p in found)
    if wanted not in periods:  # by default the current plan's period, if it has others
        with_options = [p.period.value for p in options]
        wanted = (current.period.value if current and current.period.value in with_options
                  else with_options[0] if with_options else periods[0] if periods else "")
    cards = [_card(page, subscription, current, plan, every) for plan in every
             if plan.period.value == wanted]
    return Picker(periods, wanted, tuple(cards))


def _card(page: Page, subscription: Subscription, current: Plan | None, plan: Plan,
          every: Sequence[Plan]) -> PlanCard:
    direction = ("current" if current is None or plan.id == current.id
                 else change_direction(subscription, current, plan, page.portal.now()))
    monthly = monthly_counterpart(plan, every) if plan.period is BillingPeriod.YEARLY else None
    saving = yearly_saving(plan, monthly) if monthly else None
    if saving is None:
        return PlanCard(plan, direction)
    share = Decimal(round(saving.share * 100)) / 100
    return PlanCard(plan, direction, format_percent(share, locale=babel_locale(page.locale)),
                    page.money(saving.amount))


def _choose_page(page: Page, subscription_id: str, status: int = 200,
                 errors: dict[str, str] | None = None) -> Response:
    subscription = page.portal.get_subscription(page.buyer_id, subscription_id)
    summary = summarize(page, subscription)
    options = page.portal.plan_options(page.buyer_id, subscription_id)
    wanted = page.request.query.get_one("period")[:16]
    chosen = picker(page, subscription, summary.plan, options, wanted)
    return page.render("change.html", status, s=summary, options=options, picker=chosen,
                       period_tabs=PERIOD_TABS, errors=errors or {})


def choose_plan(page: Page, subscription_id: str) -> Response:
    return _choose_page(page, subscription_id)


def _review_page(page: Page, subscription_id: str, plan_id: str, key: str, *,
                 status: int = 200, problem: str = "") -> Response:
    try:
        quote = page.portal.quote_plan_change(page.buyer_id, subscription_id, plan_id)
    except ValidationError as exc:
        return _choose_page(page, subscription_id, 422, translated_errors(page, exc))
    subscription = page.portal.get_subscription(page.buyer_id, subscription_id)
    form_page = page.url(f"/subscriptions/{subscription_id}/change/review", {"plan": plan_id})
    return page.render("review.html", status, quote=quote, key=key, problem=problem,
                       subscription_id=subscription_id, form_page=form_page,
                       credit_until=subscription.current_period_end,
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
                                          return_url=back_url(page, subscription_id))
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
