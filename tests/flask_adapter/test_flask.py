from __future__ import annotations

import io
from typing import Any

import flask
import pytest
from werkzeug.test import EnvironBuilder

from waffo_portal import ConfigurationError
from waffo_portal.integrations.flask import WaffoPortal, to_portal_request
from waffo_portal.testing import PortalKit, make_kit, seed_history
from waffo_portal.testing.client import PortalTestClient
from waffo_portal.testing.factories import TEST_SECRET
from waffo_portal.web.http import MAX_BODY_BYTES

from ..bridge import WSGIBridge
from ..flow import check_buyer_journey

SETTINGS = {"WAFFO_PORTAL_SECRET_KEYS": [TEST_SECRET],
            "WAFFO_PORTAL_BASE_URL": "https://shop.example/billing",
            "WAFFO_PORTAL_ALLOWED_RETURN_HOSTS": ["shop.example"],
            "WAFFO_PORTAL_BRANDING": {"name": "Test Shop Inc.", "country": "US",
                                      "address": ["1 Market Street"]},
            "WAFFO_PORTAL_TAX_RATES": {"US": "0", "*": "0"},
            # sent right after the commit, so the test reads it at once
            "WAFFO_PORTAL_MAIL_DELIVERY": "inline"}


def make_app(kit: PortalKit, url_prefix: str | None = None, **settings: Any) -> flask.Flask:
    app = flask.Flask(__name__)
    app.config.update({**SETTINGS, **settings})
    ext = WaffoPortal(store=kit.store, mailer=kit.mailer, gateway=kit.gateway, clock=kit.clock)
    ext.init_app(app, url_prefix=url_prefix)
    return app


@pytest.fixture
def kit() -> PortalKit:
    kit = make_kit()
    seed_history(kit)
    return kit


def client_for(app: flask.Flask, kit: PortalKit, mount: str = "/billing") -> PortalTestClient:
    web = app.extensions["waffo_portal"]
    return PortalTestClient(WSGIBridge(app.wsgi_app, web.portal, mount))  # type: ignore[arg-type]


def test_buyer_journey_through_flask(kit: PortalKit) -> None:
    check_buyer_journey(client_for(make_app(kit), kit), kit)


def test_settings_come_from_prefixed_config_keys(kit: PortalKit) -> None:
    app = make_app(kit, WAFFO_PORTAL_SESSION_LIFETIME=600, WAFFO_PORTAL_DEFAULT_LOCALE="de",
                   OTHER_SETTING="ignored")
    config = app.extensions["waffo_portal"].portal.config
    assert config.session_lifetime.total_seconds() == 600
    assert config.default_locale == "de"


def test_unknown_or_insecure_settings_fail_at_init(kit: PortalKit) -> None:
    with pytest.raises(ConfigurationError, match="sesion_lifetime"):
        make_app(kit, WAFFO_PORTAL_SESION_LIFETIME=600)
    with pytest.raises(ConfigurationError) as caught:
        make_app(kit, WAFFO_PORTAL_SECRET_KEYS=["short"])
    assert caught.value.context.get("setting") == "secret_keys"


def test_url_prefix_must_agree_with_base_url(kit: PortalKit) -> None:
    with pytest.raises(ConfigurationError, match="'/account'"):
        make_app(kit, url_prefix="/account")
    assert make_app(kit, url_prefix="billing/").url_map is not None  # same path, other spelling


def test_mounted_at_the_root(kit: PortalKit) -> None:
    app = make_app(kit, WAFFO_PORTAL_BASE_URL="https://billing.shop.example")
    client = client_for(app, kit, mount="")
    assert client.get("/login").status == 200
    assert client.get("/").status == 303


def test_portal_property_mints_links_in_the_merchant_view(kit: PortalKit) -> None:
    app = flask.Flask(__name__)
    app.config.update(SETTINGS)
    ext = WaffoPortal(app, store=kit.store, mailer=kit.mailer, gateway=kit.gateway,
                      clock=kit.clock)

    @app.post("/manage")
    def manage() -> Any:
        link = ext.portal.create_login_link(kit.buyer.id, return_url="https://shop.example/")
        return flask.redirect(link, 303)

    answer = app.test_client().post("/manage", base_url="https://shop.example")
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("https://shop.example/billing/login/")


def test_response_headers_and_cookies_survive_translation(kit: PortalKit) -> None:
    app = make_app(kit)
    http = app.test_client(use_cookies=False)
    answer = http.get("/billing/login?lang=ja", base_url="https://shop.example")
    assert answer.status_code == 200
    assert answer.headers["Content-Security-Policy"]
    assert 'lang="ja"' in answer.get_data(as_text=True)
    cookies = answer.headers.getlist("Set-Cookie")
    assert any(c.startswith("__Host-waffo_portal_lang=ja;") for c in cookies), cookies
    refused = http.put("/billing/login", base_url="https://shop.example")
    assert refused.status_code == 405 and "POST" in refused.headers["Allow"]
    head = http.head("/billing/login", base_url="https://shop.example")
    assert head.status_code == 200 and head.get_data() == b""


def test_oversized_post_body_is_not_read_into_the_form(kit: PortalKit) -> None:
    app = make_app(kit)
    answer = app.test_client().post("/billing/login", base_url="https://shop.example",
                                    data={"email": "ada@example.com", "pad": "x" * 70_000})
    assert answer.status_code == 413  # refused as too large, and never parsed
    assert not kit.mailer.outbox


class _CountingBody(io.RawIOBase):
    """An endless-looking request body that records how much of it was read."""

    def __init__(self, size: int) -> None:
        self.left, self.read_total = size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self.left)
        buffer[:count] = b"a" * count
        self.left -= count
        self.read_total += count
        return count


def test_a_chunked_body_of_unknown_length_is_not_buffered() -> None:
    body = _CountingBody(5_000_000)
    environ = EnvironBuilder(method="POST", path="/login", headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Transfer-Encoding": "chunked"}).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update({"wsgi.input": io.BufferedReader(body), "wsgi.input_terminated": True})
    with flask.Flask(__name__).request_context(environ):
        request = to_portal_request(flask.request, "/login")
    assert body.read_total <= MAX_BODY_BYTES
    assert len(request.form) == 0
