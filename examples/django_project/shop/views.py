"""The shop's own pages. In a real shop ``customer_id`` is ``request.user``'s id."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from waffo_portal.integrations.django import enter, get_portal

DEMO_EMAIL = "ada@example.com"


def customer_id() -> str:
    buyer = get_portal().find_buyer_by_email(DEMO_EMAIL)
    if buyer is None:
        raise RuntimeError("run `python manage.py seed_shop` first")
    return buyer.id


def home(request: HttpRequest) -> HttpResponse:
    portal = get_portal()
    if portal.find_buyer_by_email(DEMO_EMAIL) is None:  # with Waffo: before its webhooks
        return HttpResponse("<p>No billing account yet: run `python manage.py seed_shop`, "
                            "or with Waffo wait for its webhooks.</p>")
    return render(request, "shop/home.html", {
        "buyer": portal.find_buyer(customer_id()),
        "subscriptions": portal.list_subscriptions(customer_id())})


@require_POST
def manage_subscription(request: HttpRequest) -> HttpResponse:
    # The shop knows its customer and the portal is on the same site: hand them over,
    # logged in, with no extra click.
    return enter(request, customer_id(), next="/billing/subscriptions")


def receipt_preview(request: HttpRequest) -> HttpResponse:
    link = get_portal().email_portal_link(customer_id())  # valid for days; fills in the email
    text = render_to_string("shop/emails/receipt.txt", {
        "buyer": get_portal().find_buyer(customer_id()), "portal_url": link})
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
