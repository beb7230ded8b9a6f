"""In Chromium, on the Flask and Django example shops: the merchant's "Manage subscription"
button lands inside the portal logged in, with no page between; the portal's link leads
back to the shop; a past-due buyer sees what failed, how much, and when.
("Update payment method" reaching the provider: test_provider_redirect.py.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from babel.dates import format_date
from babel.numbers import format_currency

from waffo_portal.core.models import OrderStatus

from ..django_settings import configure_django
from .conftest import LiveServer
from .sites import Site, open_site

pytestmark = pytest.mark.browser
configure_django()  # before Playwright's loop runs in this thread (see test_browser.py)
FRAMEWORKS = ["flask", "django"]
LONG_DATE = re.compile(r"(January|February|March|April|May|June|July|August|September|"
                       r"October|November|December) \d{1,2}, \d{4}")


@pytest.fixture(params=FRAMEWORKS)
def site(request: pytest.FixtureRequest, live_server: LiveServer) -> Iterator[Site]:
    with open_site(request.param, live_server) as opened:
        yield opened


def test_the_merchant_button_lands_logged_in_on_the_subscriptions(page: Any,
                                                                  site: Site) -> None:
    page.goto(site.root + "/")
    documents: list[tuple[str, str, int]] = []
    page.on("response", lambda r: documents.append((r.request.method, r.url, r.status))
            if r.request.resource_type == "document" else None)
    page.click("form[action$='/account/manage-subscription'] button[type=submit]")
    page.wait_for_url(site.base + "/subscriptions")
    page.wait_for_load_state()
    # One click: the shop's POST answers 303, the portal page follows; no sign-in or
    # "Continue as ..." page in between.
    assert [(m, u.removeprefix(site.root), s) for m, u, s in documents] == [
        ("POST", "/account/manage-subscription", 303), ("GET", "/billing/subscriptions", 200)]
    assert page.locator("form[action$='/logout']").count() >= 1
    assert page.locator("form[action$='/login/confirm'], #email").count() == 0
    assert page.locator("main h1").count() == 1
    page.click("a.back-to-merchant")
    page.wait_for_url(site.root + "/")
    assert "Manage subscription" in page.content()


def test_the_past_due_banner_shows_the_amount_and_dates(page: Any, site: Site) -> None:
    buyer_id = site.buyer_id("hans@example.de")
    unpaid = next(o for o in site.store.list_orders(buyer_id, 50)
                  if o.status is OrderStatus.PENDING)
    amount = format_currency(unpaid.total.amount / 100, unpaid.currency, locale="en")
    failed_on = format_date(unpaid.created_at, format="long", locale="en")
    sub = site.store.list_subscriptions(buyer_id)[0]
    for path in ("/", f"/subscriptions/{sub.id}"):
        page.goto(site.enter_url(buyer_id, next=f"/billing{path}?lang=en"))
        banner = page.locator(".past-due")
        assert banner.count() == 1, path
        assert banner.is_visible()
        text = " ".join(banner.inner_text().split())
        assert amount in text and failed_on in text, (path, text)
        assert len(LONG_DATE.findall(text)) >= 2, text  # failed on, and access until
        assert banner.locator("form[action$='/payment-method'] button").count() == 1
        assert amount in banner.locator(f"form[action$='/orders/{unpaid.id}/pay']").inner_text()
