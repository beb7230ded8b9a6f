"""The shop's own tests: its pages, the portal mounted at /billing and the hand-off
button. Run with ``pytest`` in examples/django_project."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client


def test_home_page_greets_the_customer_with_the_button() -> None:
    page = Client().get("/").content.decode()
    assert "Hello Ada" in page
    assert '<form method="post" action="/account/manage-subscription">' in page


def test_the_portal_is_mounted_under_billing() -> None:
    http = Client()
    login = http.get("/billing/login")
    assert login.status_code == 200
    assert "Sign in to your billing portal" in login.content.decode()
    assert http.get("/billing/subscriptions").status_code == 303  # nobody logged in yet


def test_manage_subscription_lands_logged_in() -> None:
    http = Client(enforce_csrf_checks=True)
    http.get("/")  # the page with the button sets the CSRF cookie its form's token matches
    token = http.cookies["csrftoken"].value
    handed_over = http.post("/account/manage-subscription", {"csrfmiddlewaretoken": token})
    assert handed_over.status_code == 303
    assert handed_over["Location"] == "/billing/subscriptions"
    page = http.get("/billing/subscriptions")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Pro" in text and "Sign in to your billing portal" not in text
    assert 'href="/"' in text  # "← Back to Acme Cloud" (branding.merchant_url)


def test_the_button_is_refused_without_the_csrf_token() -> None:
    assert Client(enforce_csrf_checks=True).post(
        "/account/manage-subscription").status_code == 403


def test_receipt_email_links_to_the_portal() -> None:
    text = Client().get("/emails/receipt").content.decode()
    assert "Manage your subscription: http://127.0.0.1:8000/billing/login?prefill=" in text


def test_the_settings_pass_the_system_checks() -> None:
    call_command("check", fail_level="ERROR")
