from __future__ import annotations

from datetime import UTC, datetime

from waffo_portal import FrozenClock, MemoryMailer

from .helpers import load_example

shop = load_example("flask_app/app.py", "example_flask_app")


def test_manage_subscription_button_logs_the_customer_into_the_portal() -> None:
    clock = FrozenClock(datetime(2026, 3, 1, tzinfo=UTC))
    app = shop.create_app(mailer=MemoryMailer(), clock=clock)
    http = app.test_client()
    home = http.get("/")
    assert b"Manage subscription" in home.data and b"Hello Ada" in home.data
    minted = http.post("/account/manage-subscription")
    assert minted.status_code == 303
    link = minted.headers["Location"]
    assert link.startswith("http://127.0.0.1:5000/billing/login/confirm?token=")
    confirm = http.get(link)
    assert confirm.status_code == 200
    csrf = confirm.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    token = link.split("token=")[1]
    signed_in = http.post("/billing/login/confirm", data={"token": token, "csrf_token": csrf})
    assert signed_in.status_code == 303
    assert signed_in.headers["Location"].endswith("/billing/subscriptions")
    page = http.get("/billing/subscriptions")
    assert page.status_code == 200 and "Pro" in page.get_data(as_text=True)


def test_receipt_email_carries_a_portal_link() -> None:
    app = shop.create_app(mailer=MemoryMailer())
    text = app.test_client().get("/emails/receipt").get_data(as_text=True)
    assert "Manage your subscription: http://127.0.0.1:5000/billing/login/confirm?token=" in text
