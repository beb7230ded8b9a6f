"""``WaffoPortal.enter``: the merchant's Flask view hands its customer over in one step."""

from __future__ import annotations

import flask
import pytest
from werkzeug.test import Client, TestResponse

from waffo_portal import AuthenticationRequired, NotFound, ValidationError
from waffo_portal.integrations.flask import WaffoPortal
from waffo_portal.testing import PortalKit, make_kit
from waffo_portal.tokens import sha256_hex

from .test_flask import SETTINGS

HOST = "https://shop.example"
COOKIE = "__Host-waffo_portal"


@pytest.fixture
def kit() -> PortalKit:
    return make_kit()


def shop(kit: PortalKit) -> flask.Flask:
    app = flask.Flask(__name__)
    app.config.update(SETTINGS)
    portal = WaffoPortal(app, store=kit.store, mailer=kit.mailer, gateway=kit.gateway,
                         clock=kit.clock)

    @app.post("/account/manage-subscription")
    def manage() -> flask.Response:
        # the shop's own login decides who this is; here the form says so
        return portal.enter(flask.request.form["buyer"],
                            next=flask.request.form.get("next", ""))

    return app


def session_cookie(answer: TestResponse) -> str:
    (header,) = [v for v in answer.headers.getlist("Set-Cookie") if v.startswith(COOKIE + "=")]
    return header


def test_one_post_sets_the_cookie_and_lands_logged_in(kit: PortalKit) -> None:
    http = Client(shop(kit), use_cookies=True)
    answer = http.post("/account/manage-subscription", base_url=HOST,
                       data={"buyer": kit.buyer.id, "next": "/billing/subscriptions"})
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/billing/subscriptions"
    assert answer.headers["Cache-Control"] == "no-store"
    cookie = session_cookie(answer)
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    page = http.get("/billing/subscriptions", base_url=HOST)
    assert page.status_code == 200
    assert "Basic" in page.get_data(as_text=True)
    assert "Sign in to your billing portal" not in page.get_data(as_text=True)


def test_the_browsers_previous_portal_session_is_revoked(kit: PortalKit) -> None:
    http = Client(shop(kit), use_cookies=True)
    first = session_cookie(http.post("/account/manage-subscription", base_url=HOST,
                                     data={"buyer": kit.buyer.id}))
    old = first.split(";")[0].split("=", 1)[1]
    second = session_cookie(http.post("/account/manage-subscription", base_url=HOST,
                                      data={"buyer": kit.other_buyer.id}))
    new = second.split(";")[0].split("=", 1)[1]
    assert new != old
    with pytest.raises(AuthenticationRequired):
        kit.portal.authenticate(old)
    assert kit.store.get_session(sha256_hex(new)).buyer_id == kit.other_buyer.id  # type: ignore[union-attr]
    assert http.get("/billing/", base_url=HOST).status_code == 200


def test_unknown_buyer_and_bad_next_raise_in_the_merchants_view(kit: PortalKit) -> None:
    app = shop(kit)
    app.testing = True  # let the merchant see the error, as in their own tests
    http = Client(app)
    with pytest.raises(NotFound):
        http.post("/account/manage-subscription", base_url=HOST, data={"buyer": "nobody"})
    with pytest.raises(ValidationError):
        http.post("/account/manage-subscription", base_url=HOST,
                  data={"buyer": kit.buyer.id, "next": "https://evil.example/"})
