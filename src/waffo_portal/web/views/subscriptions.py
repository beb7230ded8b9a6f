"""Subscriptions: list, detail, payment method, paying what is past due, cancel,
reactivate and undoing a scheduled change. Plan changes are in ``plan_change``.

Paying an open order (a declined renewal) follows the plan change's rule for keys: the
page carries an idempotency key; a decline shows the page again with a new key (402),
a timeout or an unreachable provider with the *same* key (504 / 503), so a retry charges
at most once; a second submit after the payment went through lands on the same "paid"
notice (the order is no longer open), never on a second charge.
"""

from __future__ import annotations

from ...core.exceptions import (
    PaymentDeclined,
    PaymentFailed,
    PlanChangeNotAllowed,
    ProviderUnavailable,
    ValidationError,
)
from ...core.models import CancellationReason, OrderStatus
from ..forms import translated_errors
from ..http import Response
from ..messages import REASON_LABELS
from ..page import Page, redirect_to
from .summary import Summary, new_key, summaries, summarize

RESULT_MESSAGES = frozenset({"upgraded", "scheduled", "switched", "canceled", "reactivated",
                             "paid", "change_undone"})

__all__ = ["Summary", "new_key", "summaries", "summarize"]


def subscription_list(page: Page) -> Response:
    return page.render("subscriptions.html", subscriptions=summaries(page))


def _detail_page(page: Page, subscription_id: str, *, status: int = 200, problem: str = "",
                 pay_key: str = "") -> Response:
    subscription = page.portal.get_subscription(page.buyer_id, subscription_id)
    message = "" if problem else page.request.query.get_one("msg")
    return page.render("subscription.html", status, s=summarize(page, subscription),
                       message=message if message in RESULT_MESSAGES else "", key=new_key(),
                       pay_key=pay_key or new_key(), problem=problem,
                       provider_mode=page.portal.provider_mode)


def subscription_detail(page: Page, subscription_id: str) -> Response:
    return _detail_page(page, subscription_id)


def to_provider(page: Page, url: str) -> Response:
    """A 303 to the billing provider's page, only under one of its declared origins
    (the CSP's ``form-action`` admits exactly those; anything else is refused here)."""
    origins = page.portal.redirect_origins
    if origins and not any(url == o or url.startswith(o.rstrip("/") + "/") for o in origins):
        raise ProviderUnavailable("the provider sent the buyer to an undeclared origin",
                                  url=url)
    return redirect_to(url)


def back_url(page: Page, subscription_id: str) -> str:
    return f"{page.config.base_url.rstrip('/')}/subscriptions/{subscription_id}"


def update_payment_method(page: Page, subscription_id: str) -> Response:
    return to_provider(page, page.portal.payment_method_update_url(
        page.buyer_id, subscription_id, return_url=back_url(page, subscription_id)))


def pay_order(page: Page, order_id: str) -> Response:
    """Pay an open order (a past-due renewal) now, or on the provider's page."""
    order = page.portal.get_order(page.buyer_id, order_id)
    sub_id = order.subscription_id
    back = f"/subscriptions/{sub_id}" if sub_id else f"/orders/{order.id}"
    key = page.request.form.get_one("idempotency_key")[:128]
    try:
        outcome = page.portal.pay_order(
            page.buyer_id, order.id, idempotency_key=key,
            return_url=f"{page.config.base_url.rstrip('/')}{back}")
    except (PaymentDeclined, PaymentFailed, ProviderUnavailable) as exc:
        if sub_id is None:
            raise
        if isinstance(exc, PaymentDeclined):
            return _detail_page(page, sub_id, status=402, problem="pay_declined")
        # No answer: the provider may have charged, so the retry carries this same key.
        status = 503 if isinstance(exc, ProviderUnavailable) else 504
        return _detail_page(page, sub_id, status=status, problem="pay_timeout", pay_key=key)
    except PlanChangeNotAllowed as exc:
        paid = page.portal.get_order(page.buyer_id, order.id).status is OrderStatus.COMPLETED
        if exc.key != "order.not_open" or not paid:
            raise
        # A second submit (another tab, a double click) after the payment went through.
        return page.redirect(back, {"msg": "paid"} if sub_id else None)
    if outcome.status == "confirm":
        return to_provider(page, outcome.redirect_url)
    return page.redirect(back, {"msg": "paid"} if sub_id else None)


def undo_scheduled_change(page: Page, subscription_id: str) -> Response:
    """Keep the current plan: drop the downgrade scheduled for the period end."""
    outcome = page.portal.undo_scheduled_change(
        page.buyer_id, subscription_id,
        idempotency_key=page.request.form.get_one("idempotency_key")[:128],
        return_url=back_url(page, subscription_id))
    if outcome.status == "confirm":
        return to_provider(page, outcome.redirect_url)
    return page.redirect(f"/subscriptions/{subscription_id}", {"msg": "change_undone"})


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
