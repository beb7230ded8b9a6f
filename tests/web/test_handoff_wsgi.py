"""The hand-off on plain WSGI (``web.wsgi.enter``) and as a bare ``PortalWebApp.enter``."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from werkzeug.test import Client

from waffo_portal import AuthenticationRequired, NotFound, ValidationError
from waffo_portal.testing import PortalKit
from waffo_portal.testing.client import PortalTestClient
from waffo_portal.web import PortalWebApp, PortalWSGIApp
from waffo_portal.web.wsgi import enter

COOKIE = "__Host-waffo_portal"
HOST = "https://shop.example"


def wsgi_shop(web: PortalWebApp) -> Callable[..., Iterable[bytes]]:
    """A host WSGI app: its own hand-off view, and the portal under /billing."""
    portal = PortalWSGIApp(web)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/account/manage-subscription":
            query = dict(p.split("=", 1) for p in environ["QUERY_STRING"].split("&") if p)
            return enter(web, environ, start_response, query["buyer"],
                         next=query.get("next", ""))
        if path.startswith("/billing"):
            environ["SCRIPT_NAME"], environ["PATH_INFO"] = "/billing", path[8:] or "/"
            return portal(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"shop page not found"]

    return app


def test_one_request_sets_the_cookie_and_lands_logged_in(app: PortalWebApp,
                                                         kit: PortalKit) -> None:
    http = Client(wsgi_shop(app), use_cookies=True)
    answer = http.post("/account/manage-subscription", base_url=HOST,
                       query_string={"buyer": kit.buyer.id, "next": "/billing/orders"})
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/billing/orders"
    assert answer.headers["Content-Length"] == "0"
    (cookie,) = answer.headers.getlist("Set-Cookie")
    assert cookie.startswith(COOKIE + "=") and "HttpOnly" in cookie and "Secure" in cookie
    page = http.get("/billing/orders", base_url=HOST)
    assert page.status_code == 200 and "ord_3" in page.get_data(as_text=True)


def test_previous_cookie_is_revoked_and_the_body_is_left_unread(app: PortalWebApp,
                                                                kit: PortalKit) -> None:
    before = kit.portal.start_session(kit.buyer.id).session_id
    body = io.BytesIO(b"kept=for+the+shop")
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/account/manage-subscription",
               "HTTP_COOKIE": f"theme=dark; {COOKIE}={before}", "wsgi.input": body,
               "CONTENT_LENGTH": "17", "CONTENT_TYPE": "application/x-www-form-urlencoded"}
    started: list[tuple[str, list[tuple[str, str]]]] = []
    sent = enter(app, environ, lambda status, headers: started.append((status, headers)),
                 kit.buyer.id)
    assert started[0][0] == "303 See Other" and list(sent) == [b""]
    assert ("Location", "/billing/") in started[0][1]
    assert body.tell() == 0  # the shop's form is still the shop's to read
    with pytest.raises(AuthenticationRequired):
        kit.portal.authenticate(before)


def test_the_web_app_call_is_the_framework_free_core(app: PortalWebApp,
                                                     kit: PortalKit) -> None:
    response = app.enter(kit.buyer.id, next="/billing/subscriptions")
    assert (response.status, response.header("Location")) == (303, "/billing/subscriptions")
    (cookie,) = response.set_cookies
    assert cookie.name == COOKIE and cookie.max_age == 30 * 60 and cookie.path == "/"
    browser = PortalTestClient(app)
    browser.cookies[COOKIE] = cookie.value
    page = browser.get("/subscriptions")
    assert page.status == 200 and "Basic" in page.text
    with pytest.raises(NotFound):
        app.enter("nobody")
    with pytest.raises(ValidationError):
        app.enter(kit.buyer.id, next="https://evil.example/billing/")


def test_the_emailed_link_still_goes_through_the_confirm_page(client: PortalTestClient,
                                                              kit: PortalKit) -> None:
    link = kit.portal.create_login_link(kit.buyer.id, return_url="/billing/orders")
    confirm = client.get(link)
    assert confirm.status == 200 and not client.cookies  # a scanner's GET opens nothing
    assert client.submit(confirm, "/login/confirm").location == "/billing/orders"
