from __future__ import annotations

import re

from waffo_portal import MemoryMailer

from ..bridge import call_asgi
from .helpers import load_example

shop = load_example("fastapi_app/app.py", "example_fastapi_app")


def test_manage_subscription_button_lands_logged_in_with_no_extra_click() -> None:
    app = shop.create_app(mailer=MemoryMailer())
    home = call_asgi(app, "GET", "/", scheme="http")
    assert "Manage subscription" in home.text
    assert '<form method="post" action="/account/manage-subscription">' in home.text
    handed_over = call_asgi(app, "POST", "/account/manage-subscription", scheme="http")
    assert handed_over.status == 303
    assert handed_over.header_list("location") == ["/billing/subscriptions"]
    (cookie,) = [c for c in handed_over.header_list("set-cookie")
                 if c.startswith("shop_portal=")]
    page = call_asgi(app, "GET", "/billing/subscriptions", scheme="http",
                     headers={"cookie": cookie.split(";")[0]})
    assert page.status == 200
    assert "Pro" in page.text and "Sign in to your billing portal" not in page.text
    assert 'class="back-to-merchant" href="/"' in page.text  # branding.merchant_url


def test_receipt_email_carries_a_long_lived_portal_link() -> None:
    app = shop.create_app(mailer=MemoryMailer())
    text = call_asgi(app, "GET", "/emails/receipt").text
    found = re.search(r"Manage your subscription: http://127\.0\.0\.1:8000/billing/login"
                      r"\?(prefill=\S+)", text)
    assert found is not None, text
    login = call_asgi(app, "GET", "/billing/login", query=found.group(1), scheme="http")
    assert login.status == 200 and 'value="ada@example.com"' in login.text
    assert not login.header_list("set-cookie")
