from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from waffo_portal import FrozenClock, MemoryMailer

from .helpers import load_example

shop = load_example("flask_app/app.py", "example_flask_app")


def test_manage_subscription_button_lands_logged_in_with_no_extra_click() -> None:
    clock = FrozenClock(datetime(2026, 3, 1, tzinfo=UTC))
    app = shop.create_app(mailer=MemoryMailer(), clock=clock)
    http = app.test_client()
    home = http.get("/")
    assert b"Manage subscription" in home.data and b"Hello Ada" in home.data
    assert b'<form method="post" action="/account/manage-subscription">' in home.data
    handed_over = http.post("/account/manage-subscription")
    assert handed_over.status_code == 303
    assert handed_over.headers["Location"] == "/billing/subscriptions"
    assert any(c.startswith("shop_portal=") for c in handed_over.headers.getlist("Set-Cookie"))
    page = http.get(handed_over.headers["Location"])
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Pro" in text and "Sign in to your billing portal" not in text
    assert 'class="back-to-merchant" href="/"' in text  # branding.merchant_url


def test_receipt_email_carries_a_long_lived_portal_link() -> None:
    clock = FrozenClock(datetime(2026, 3, 1, tzinfo=UTC))
    app = shop.create_app(mailer=MemoryMailer(), clock=clock)
    http = app.test_client()
    text = http.get("/emails/receipt").get_data(as_text=True)
    found = re.search(r"Manage your subscription: (http://127\.0\.0\.1:5000/billing/login"
                      r"\?prefill=\S+)", text)
    assert found is not None, text
    clock.advance(timedelta(days=13))
    login = http.get(found.group(1)).get_data(as_text=True)
    assert 'value="ada@example.com"' in login
    assert not any(c.startswith("shop_portal=") for c in http.get("/").headers.getlist(
        "Set-Cookie"))
    assert http.get("/billing/subscriptions").status_code == 303  # it logged nobody in
