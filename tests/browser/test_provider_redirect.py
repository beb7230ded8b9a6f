"""In Chromium: "Update payment method" reaches the card page of the gateway or provider,
because the portal's CSP admits exactly its declared origin as a form target."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from waffo_portal import MemoryMailer, Portal, TestGateway
from waffo_portal.testing import make_kit
from waffo_portal.testing.factories import test_config
from waffo_portal.web import PortalWebApp, PortalWSGIApp

from .conftest import LiveServer

pytestmark = pytest.mark.browser
CARD_PAGE = b"<!doctype html><title>Card</title><h1>Provider card page</h1>"


def _card_page(_environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/html")])
    return [CARD_PAGE]


@pytest.fixture
def provider_server() -> Iterator[LiveServer]:
    server = LiveServer()
    server.app = _card_page
    yield server
    server.stop()


def _update_card(browser: Any, shop: LiveServer, gateway: TestGateway) -> tuple[Any, list[str]]:
    kit = make_kit()
    config = test_config(base_url=shop.url + "/billing", cookie_secure=False,
                         cookie_name="shop_portal", allowed_return_hosts=())
    portal = Portal(config, store=kit.store, mailer=MemoryMailer(), gateway=gateway,
                    clock=kit.clock)
    shop.app = DispatcherMiddleware(_card_page, {"/billing": PortalWSGIApp(PortalWebApp(portal))})
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(portal.create_login_link(kit.buyer.id, return_url="/billing/subscriptions/sub_1"))
    page.click("form[action$='/login/confirm'] button[type=submit]")
    page.wait_for_url("**/billing/subscriptions/sub_1")
    page.click("form[action$='/payment-method'] button[type=submit]")
    page.wait_for_timeout(1500)
    return page, blocked


def test_the_browser_follows_the_redirect_to_the_declared_card_page(
        browser: Any, live_server: LiveServer, provider_server: LiveServer) -> None:
    gateway = TestGateway(update_url=provider_server.url + "/card")
    page, blocked = _update_card(browser, live_server, gateway)
    assert page.url.startswith(provider_server.url + "/card?")
    assert "Provider card page" in page.content()
    assert blocked == []
    page.context.close()


def test_without_the_declared_origin_the_browser_blocks_it(
        browser: Any, live_server: LiveServer, provider_server: LiveServer) -> None:
    """The control, as before gateways could declare origins: form-action 'self' only, and
    Chromium silently refuses the 303 to the card page."""
    gateway = TestGateway(update_url=provider_server.url + "/card")
    gateway.redirect_origins = ()
    page, blocked = _update_card(browser, live_server, gateway)
    assert not page.url.startswith(provider_server.url)
    assert any("form-action" in text for text in blocked)
    page.context.close()
