"""The routing table: every URL of the portal, its methods, and who may call it.

Paths are relative to the portal's mount. ``{name}`` matches one id-like segment
(letters, digits, ``_``, ``.`` and ``-``; at most 128), so odd input never reaches a view.
HEAD is answered wherever GET is. A method not listed gets 405 with ``Allow``.

``csrf`` names what a POST's token is bound to: the session (every logged-in form),
the anonymous login form, or the login link being confirmed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Literal

import attrs

from .http import Response
from .views import (
    auth,
    billing,
    invoices,
    orders,
    overview,
    plan_change,
    static,
    subscriptions,
    webhooks,
)

View = Callable[..., Response]
CsrfBinding = Literal["session", "anonymous", "link", "none"]
_SEGMENT = r"(?P<{}>[A-Za-z0-9_.\-]{{1,128}})"


@attrs.frozen
class Route:
    name: str
    pattern: str
    views: Mapping[str, View]
    auth: bool = True
    csrf: CsrfBinding = "session"
    token_page: bool = False  # holds a login token: no-referrer
    static: bool = False
    machine: bool = False  # called by a server (a provider's webhook), not a browser
    regex: re.Pattern[str] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        parts = re.split(r"\{(\w+)\}", self.pattern)
        source = "".join(re.escape(p) if i % 2 == 0 else _SEGMENT.format(p)
                         for i, p in enumerate(parts))
        object.__setattr__(self, "regex", re.compile(source))

    @property
    def allowed(self) -> list[str]:
        methods = set(self.views)
        if "GET" in methods:
            methods.add("HEAD")
        return sorted(methods)


ROUTES: tuple[Route, ...] = (
    Route("static", "/static/{name}", {"GET": static.asset}, auth=False, static=True),
    Route("login", "/login", {"GET": auth.login_form, "POST": auth.login_submit},
          auth=False, csrf="anonymous"),
    Route("login_sent", "/login/sent", {"GET": auth.login_sent}, auth=False),
    Route("login_confirm", "/login/confirm",
          {"GET": auth.confirm_form, "POST": auth.confirm_submit},
          auth=False, csrf="link", token_page=True),
    Route("logout", "/logout", {"POST": auth.logout}, auth=False, csrf="none"),
    Route("overview", "/", {"GET": overview.overview}),
    Route("orders", "/orders", {"GET": orders.order_list}),
    Route("order", "/orders/{order_id}", {"GET": orders.order_detail}),
    Route("invoice", "/orders/{order_id}/invoice",
          {"GET": invoices.invoice_page, "POST": invoices.invoice_billing}),
    Route("invoice_document", "/orders/{order_id}/invoice/document",
          {"GET": invoices.invoice_document}),
    Route("invoice_pdf", "/orders/{order_id}/invoice/pdf", {"GET": invoices.invoice_pdf}),
    Route("pay_order", "/orders/{order_id}/pay", {"POST": subscriptions.pay_order}),
    Route("subscriptions", "/subscriptions", {"GET": subscriptions.subscription_list}),
    Route("subscription", "/subscriptions/{subscription_id}",
          {"GET": subscriptions.subscription_detail}),
    Route("payment_method", "/subscriptions/{subscription_id}/payment-method",
          {"POST": subscriptions.update_payment_method}),
    Route("change", "/subscriptions/{subscription_id}/change",
          {"GET": plan_change.choose_plan, "POST": plan_change.confirm_change}),
    Route("change_review", "/subscriptions/{subscription_id}/change/review",
          {"GET": plan_change.review_change}),
    Route("undo_change", "/subscriptions/{subscription_id}/scheduled-change/undo",
          {"POST": subscriptions.undo_scheduled_change}),
    Route("cancel", "/subscriptions/{subscription_id}/cancel",
          {"GET": subscriptions.cancel_form, "POST": subscriptions.confirm_cancel}),
    Route("reactivate", "/subscriptions/{subscription_id}/reactivate",
          {"POST": subscriptions.reactivate}),
    Route("billing", "/billing-details",
          {"GET": billing.billing_form, "POST": billing.billing_submit}),
    Route("tax", "/tax", {"GET": billing.tax_information}),
    # The billing provider's deliveries: signed by the provider, not by a CSRF token.
    Route("webhook", "/webhooks/{source}", {"POST": webhooks.receive}, auth=False,
          csrf="none", machine=True),
)


def match(path: str) -> tuple[Route, dict[str, str]] | None:
    for route in ROUTES:
        # fullmatch: "$" would also match before a trailing newline ("/orders%0A")
        found = route.regex.fullmatch(path)
        if found is not None:
            return route, found.groupdict()
    return None
