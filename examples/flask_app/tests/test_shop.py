"""The shop's own tests: its pages, the portal mounted at /billing, the hand-off button,
and the scheduled jobs (``flask waffo …``). Run with ``pytest`` in examples/flask_app."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from app import create_app
from flask import Flask
from flask.testing import FlaskClient

from waffo_portal import FrozenClock, MemoryMailer
from waffo_portal.integrations.flask import WaffoPortal

TODAY = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def app() -> Flask:
    return create_app(mailer=MemoryMailer(), clock=FrozenClock(TODAY))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_home_page_greets_the_customer_with_the_button(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "Hello Ada" in page
    assert '<form method="post" action="/account/manage-subscription">' in page


def test_the_portal_is_mounted_under_billing(client: FlaskClient) -> None:
    login = client.get("/billing/login")
    assert login.status_code == 200
    assert "Sign in to your billing portal" in login.get_data(as_text=True)
    assert client.get("/billing/subscriptions").status_code == 303  # nobody logged in yet


def test_manage_subscription_lands_logged_in(client: FlaskClient) -> None:
    handed_over = client.post("/account/manage-subscription")
    assert handed_over.status_code == 303
    assert handed_over.headers["Location"] == "/billing/subscriptions"
    page = client.get("/billing/subscriptions")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Pro" in text and "Sign in to your billing portal" not in text
    assert 'href="/"' in text  # "← Back to Acme Cloud" (branding.merchant_url)


def test_receipt_email_links_to_the_portal(client: FlaskClient) -> None:
    text = client.get("/emails/receipt").get_data(as_text=True)
    assert "Manage your subscription: http://127.0.0.1:5000/billing/login?prefill=" in text


def test_nightly_job_runs_with_and_without_the_cli(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["waffo", "apply-due"])
    assert result.exit_code == 0, result.output
    # A cron script or Celery task holds the app, not a request: no app context needed.
    assert WaffoPortal.portal_for(app).apply_due().counts.get("error", 0) == 0


def test_an_unknown_billing_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="SHOP_BILLING is 'test' or 'waffo', not 'stripe'"):
        create_app(config={"SHOP_BILLING": "stripe"})
