from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from waffo_portal import FrozenClock, MemoryMailer, MemoryStore
from waffo_portal.demo import seed_demo

from ..django_settings import BASE_PORTAL_SETTINGS, configure_django
from ..examples.helpers import load_example
from .conftest import LiveServer
from .journey import Journey, run_journey

pytestmark = pytest.mark.browser
# Before Playwright's event loop runs in this thread: Django refuses ORM calls (the
# migrations) from a thread with a running loop.
configure_django()
START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def seeded() -> tuple[MemoryStore, MemoryMailer, FrozenClock]:
    store, clock = MemoryStore(), FrozenClock(START)
    seed_demo(store, clock.now())
    return store, MemoryMailer(), clock


def test_flask(page: Any, live_server: LiveServer, axe_script: Path) -> None:
    store, mailer, clock = seeded()
    shop = load_example("flask_app/app.py", "example_flask_app")
    app = shop.create_app(store=store, mailer=mailer, clock=clock,
                          base_url=live_server.url + "/billing")
    live_server.app = app
    journey = Journey(page, live_server.url + "/billing", store, mailer, clock, "flask",
                      axe_script)
    started = time.monotonic()
    run_journey(journey)
    print(f"flask journey: {len(journey.checked)} pages, {time.monotonic() - started:.1f}s, "
          f"axe rule passes {journey.rules_passed}, minor/moderate: {journey.minor}")


def test_django(page: Any, live_server: LiveServer, axe_script: Path) -> None:
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings

    store, mailer, clock = seeded()
    settings = {**BASE_PORTAL_SETTINGS, "BASE_URL": live_server.url + "/billing",
                "COOKIE_SECURE": False, "COOKIE_NAME": "shop_portal", "STORE": store,
                "MAILER": mailer, "CLOCK": clock}
    with override_settings(WAFFO_PORTAL=settings):
        live_server.app = WSGIHandler()
        journey = Journey(page, live_server.url + "/billing", store, mailer, clock, "django",
                          axe_script)
        started = time.monotonic()
        run_journey(journey)
    print(f"django journey: {len(journey.checked)} pages, {time.monotonic() - started:.1f}s, "
          f"axe rule passes {journey.rules_passed}, minor/moderate: {journey.minor}")
