"""The example shops (Flask, Django) on live servers with the demo data, for the suite.

Each site also answers ``/test/enter/<buyer_id>?next=...``: the merchant's direct hand-off
(``enter``), so the suite signs in as any demo buyer with one navigation.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import attrs

from waffo_portal import FrozenClock, MemoryMailer, MemoryStore
from waffo_portal.demo import seed_demo

from ..examples.helpers import EXAMPLES, load_example
from .conftest import LiveServer

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@attrs.define
class Site:
    framework: str
    root: str  # http://127.0.0.1:PORT, the merchant's shop
    store: MemoryStore
    mailer: MemoryMailer
    clock: FrozenClock

    @property
    def base(self) -> str:
        return self.root + "/billing"

    def enter_url(self, buyer_id: str, next: str = "") -> str:
        return f"{self.root}/test/enter/{buyer_id}?next={quote(next)}"

    def buyer_id(self, email: str) -> str:
        buyer = self.store.find_buyer_by_email(email)
        assert buyer is not None, email
        return buyer.id


def _seeded() -> tuple[MemoryStore, MemoryMailer, FrozenClock]:
    store, clock = MemoryStore(), FrozenClock(START)
    seed_demo(store, clock.now())
    return store, MemoryMailer(), clock


@contextmanager
def flask_site(server: LiveServer) -> Iterator[Site]:
    import flask

    from waffo_portal.integrations.flask import EXTENSION_KEY, to_flask_response

    store, mailer, clock = _seeded()
    shop = load_example("flask_app/app.py", "example_flask_app")
    app = shop.create_app(store=store, mailer=mailer, clock=clock,
                          base_url=server.url + "/billing")

    def enter_as(buyer_id: str) -> Any:
        web = flask.current_app.extensions[EXTENSION_KEY]
        return to_flask_response(web.enter(buyer_id, next=flask.request.args.get("next", ""),
                                           cookies=flask.request.cookies))

    app.add_url_rule("/test/enter/<buyer_id>", "test_enter", enter_as)
    server.app = app
    yield Site("flask", server.url, store, mailer, clock)


@contextmanager
def django_site(server: LiveServer) -> Iterator[Site]:
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings

    store, mailer, clock = _seeded()
    shop_settings = load_example("django_project/shop/settings.py", "example_django_settings")
    portal = {**shop_settings.WAFFO_PORTAL, "BASE_URL": server.url + "/billing",
              "STORE": store, "MAILER": mailer, "CLOCK": clock, "MAIL_DELIVERY": "inline"}
    templates = [{"BACKEND": "django.template.backends.django.DjangoTemplates",
                  "DIRS": [str(EXAMPLES / "django_project" / "shop" / "templates")],
                  "APP_DIRS": True}]
    with override_settings(WAFFO_PORTAL=portal, ROOT_URLCONF="tests.browser.django_shop",
                           TEMPLATES=templates):
        server.app = WSGIHandler()
        yield Site("django", server.url, store, mailer, clock)


@contextmanager
def open_site(framework: str, server: LiveServer) -> Iterator[Site]:
    with (flask_site if framework == "flask" else django_site)(server) as site:
        yield site
