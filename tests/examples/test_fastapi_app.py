from __future__ import annotations

from waffo_portal import MemoryMailer

from ..bridge import call_asgi
from .helpers import load_example

shop = load_example("fastapi_app/app.py", "example_fastapi_app")


def test_manage_subscription_button_and_portal_mount() -> None:
    app = shop.create_app(mailer=MemoryMailer())
    home = call_asgi(app, "GET", "/", scheme="http")
    assert "Manage subscription" in home.text
    minted = call_asgi(app, "POST", "/account/manage-subscription", scheme="http")
    assert minted.status == 303
    (link,) = minted.header_list("location")
    assert link.startswith("http://127.0.0.1:8000/billing/login/confirm?token=")
    confirm = call_asgi(app, "GET", "/billing/login/confirm", query=link.split("?", 1)[1],
                        scheme="http")
    assert confirm.status == 200 and "csrf_token" in confirm.text


def test_receipt_email_carries_a_portal_link() -> None:
    text = call_asgi(shop.create_app(mailer=MemoryMailer()), "GET", "/emails/receipt").text
    assert "Manage your subscription: http://127.0.0.1:8000/billing/login/confirm?token=" in text
