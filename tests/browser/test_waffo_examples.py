"""The example shops switched to Waffo Pancake, in Chromium over real HTTP.

The fake Waffo sells the plans, its webhooks fill the empty portal store, and the buyer
upgrades: the portal sends them to Waffo's confirmation page, and only Waffo's webhook
switches the plan. Flask runs in this process; Django runs ``manage.py runserver`` in
its own process with ``shop.settings_waffo``, as a merchant would.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest

from waffo_portal import MemoryMailer
from waffo_portal.providers.waffo import WaffoSettings
from waffo_portal.testing.fake_waffo import FakeWaffo
from waffo_portal.testing.fake_waffo.state import FakeOrder, Product

from ..conftest import WaffoKeys
from ..examples.helpers import EXAMPLES, load_example
from .conftest import LiveServer

pytestmark = pytest.mark.browser
SRC = Path(__file__).resolve().parents[2] / "src"
DJANGO_PROJECT = EXAMPLES / "django_project"
EMAIL = "ada@example.com"  # the examples' signed-in customer (DEMO_EMAIL)
GERMANY = {"country": "DE", "isBusiness": False, "postcode": "10115"}
WAIT = 10.0  # seconds a webhook may take to show; a poll, not a sleep


@pytest.fixture
def fake(waffo_keys: WaffoKeys) -> Iterator[FakeWaffo]:
    waffo = FakeWaffo(merchant_key=waffo_keys[0], platform_key=waffo_keys[1]).start()
    waffo.auto_deliver = False  # the test sees the pending change, then delivers
    yield waffo
    waffo.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def waffo_values(fake: FakeWaffo) -> dict[str, Any]:
    """The fake's settings as the plain mapping a merchant's config holds."""
    settings = fake.settings()
    return {f.name: getattr(settings, f.name) for f in attrs.fields(WaffoSettings) if f.init}


@dataclass
class Sales:
    plans: dict[str, Product]
    subscription: FakeOrder
    onetime: FakeOrder


def sell(fake: FakeWaffo) -> Sales:
    """What happened on Waffo's checkout before the buyer opens the portal, delivered."""
    books = fake.books
    plans = {name: books.add_product(name, price, group="Plans")
             for name, price in (("Starter", "10.00"), ("Pro", "30.00"), ("Team", "90.00"))}
    setup = books.add_product("Onboarding call", "49.00")
    # buyerIdentity is the shop's own customer id, as the shop passes it at checkout.
    sub = books.subscribe(plans["Pro"].id, email=EMAIL, identity="cus_ada", billing=GERMANY)
    once = books.buy_once(setup.id, email=EMAIL, identity="cus_ada", billing=GERMANY)
    delivered = fake.deliver()
    assert delivered and all(d.status == 200 for d in delivered), [
        (d.event.event_type, d.status) for d in delivered]
    return Sales(plans, sub, once)


def reload_until(page: Any, done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not done():
        assert time.monotonic() < deadline, f"not within {WAIT}s: {what}"
        page.wait_for_timeout(100)
        page.reload()


def upgrade_on_waffo(page: Any, fake: FakeWaffo, shop: str, sales: Sales) -> None:
    """The buyer's journey from the shop's button to the upgraded plan."""
    portal, sub, team = shop + "/billing", sales.subscription.id, sales.plans["Team"]
    page.goto(shop + "/")
    assert "You have 1 subscription(s)" in page.inner_text("main")
    page.click("button:has-text('Manage subscription')")  # the hand-off: no second click
    page.wait_for_url(portal + "/subscriptions")

    page.goto(portal + "/orders")  # both orders came by webhook
    rows = page.locator("table tbody tr")
    assert rows.count() == 2
    orders = page.inner_text("table tbody")
    assert "Pro" in orders and "Onboarding call" in orders, orders
    assert "35.70" in orders and "58.31" in orders, orders  # with Germany's 19% VAT

    page.goto(portal + "/subscriptions")
    page.click(f"a[href$='/subscriptions/{sub}']")
    assert page.inner_text("h1") == "Pro"
    page.click(f"a[href$='/subscriptions/{sub}/change']")
    page.check(f"input[value='{team.id}']")
    page.click("form[action$='/change/review'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/change/review\?plan=.*"))
    page.click(f"form[action$='/subscriptions/{sub}/change'] button[type=submit]")
    page.wait_for_url(re.compile(re.escape(fake.url) + "/store/fake-store/change/cs_.*"))
    assert page.inner_text("h1") == "Change to Team"

    # Not confirmed on Waffo yet: the portal still shows Pro, the change as pending.
    other = page.context.new_page()
    other.goto(f"{portal}/subscriptions/{sub}")
    assert other.inner_text("h1") == "Pro"
    assert "Change to Team: pending confirmation" in other.inner_text(".pending-change")
    other.close()

    page.click("button[value=confirm]")
    # Exactly the success URL: Waffo's #token fragment must not follow the buyer back.
    page.wait_for_url(f"{portal}/subscriptions/{sub}")
    # Back from Waffo, before its webhook: still nothing switched.
    assert page.inner_text("h1") == "Pro"
    assert "Change to Team: pending confirmation" in page.inner_text(".pending-change")

    delivered = fake.deliver()
    assert "subscription.plan_changed" in {d.event.event_type for d in delivered}
    assert all(d.status == 200 for d in delivered)
    reload_until(page, lambda: page.inner_text("h1") == "Team", "the plan switched to Team")
    assert page.locator(".pending-change").count() == 0
    page.goto(portal + "/orders")  # the prorated upgrade charge arrived as a payment
    assert "Team" in page.inner_text("table tbody")


def test_flask_shop_on_waffo(page: Any, live_server: LiveServer, fake: FakeWaffo) -> None:
    started = time.monotonic()
    shop = load_example("flask_app/app.py", "example_flask_app")
    app = shop.create_app(mailer=MemoryMailer(), base_url=live_server.url + "/billing",
                          config={"SHOP_BILLING": "waffo", "SHOP_WAFFO": waffo_values(fake)})
    portal = app.extensions["waffo_portal"].portal
    assert portal.provider_mode
    live_server.app = app
    fake.webhook_target = live_server.url + "/billing/webhooks/waffo"
    try:
        upgrade_on_waffo(page, fake, live_server.url, sell(fake))
    finally:
        portal.provider.client.close()
    print(f"flask on waffo: {time.monotonic() - started:.1f}s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def django_shop(tmp_path: Path, fake: FakeWaffo) -> Iterator[str]:
    """``manage.py migrate`` then ``runserver`` with shop.settings_waffo, the Waffo keys
    in the environment; a settings module on top points Waffo's URLs at the fake."""
    port = _free_port()
    shop = f"http://127.0.0.1:{port}"
    values = waffo_values(fake)
    (tmp_path / "shop_on_fake_waffo.py").write_text(
        "from shop.settings_waffo import *  # noqa: F403\n"
        "from shop.settings_waffo import SHOP_WAFFO, WAFFO_PORTAL\n"
        f"SHOP_WAFFO = {{**SHOP_WAFFO, 'base_url': {values['base_url']!r},\n"
        f"    'hosted_origins': {values['hosted_origins']!r},\n"
        f"    'consumer_portal_url': {values['consumer_portal_url']!r},\n"
        f"    'webhook_public_keys': {dict(values['webhook_public_keys'])!r}}}\n"
        f"WAFFO_PORTAL = {{**WAFFO_PORTAL, 'BASE_URL': {shop + '/billing'!r}}}\n",
        encoding="utf-8")
    env = {**os.environ, "SHOP_DB": str(tmp_path / "shop.sqlite3"),
           "PYTHONPATH": os.pathsep.join([str(SRC), str(DJANGO_PROJECT), str(tmp_path)]),
           "DJANGO_SETTINGS_MODULE": "shop_on_fake_waffo", "PYTHONWARNINGS": "error",
           "WAFFO_MERCHANT_ID": values["merchant_id"], "WAFFO_STORE_ID": values["store_id"],
           "WAFFO_PRIVATE_KEY": values["private_key"], "WAFFO_ENVIRONMENT": "test"}
    migrated = subprocess.run([sys.executable, "manage.py", "migrate"], cwd=DJANGO_PROJECT,
                              env=env, capture_output=True, text=True, timeout=60, check=False)
    assert migrated.returncode == 0, migrated.stderr
    log = (tmp_path / "runserver.log").open("w", encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=DJANGO_PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert server.poll() is None, (tmp_path / "runserver.log").read_text()
            try:
                httpx.get(shop + "/billing/login", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "runserver did not start"
                time.sleep(0.1)
        fake.webhook_target = shop + "/billing/webhooks/waffo"
        yield shop
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def test_django_shop_on_waffo(page: Any, django_shop: str, fake: FakeWaffo) -> None:
    started = time.monotonic()
    upgrade_on_waffo(page, fake, django_shop, sell(fake))
    print(f"django on waffo: {time.monotonic() - started:.1f}s")
