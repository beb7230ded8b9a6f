from __future__ import annotations

import io
import logging
from typing import Any

import pytest

from waffo_portal.testing import PortalKit
from waffo_portal.testing.client import PortalTestClient
from waffo_portal.web import PortalWebApp, PortalWSGIApp, Request
from waffo_portal.web.views import overview

# form-action admits the test gateway's card page (its declared redirect origin) and no more.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; form-action 'self' https://payments.example; base-uri 'none'")


def test_security_headers_on_every_kind_of_answer(buyer: PortalTestClient) -> None:
    for answer in (buyer.get("/"), buyer.get("/nope"), buyer.get("/login"),
                   buyer.post("/subscriptions/sub_1/cancel", {})):
        assert answer.header("Content-Security-Policy") == CSP
        assert answer.header("X-Content-Type-Options") == "nosniff"
        assert answer.header("Referrer-Policy") == "same-origin"
        assert answer.header("Cache-Control") == "no-store"
        assert answer.header("Strict-Transport-Security") == "max-age=31536000"
    assert "<script" not in buyer.get("/").text and "style=" not in buyer.get("/").text
    css = buyer.get("/static/brand.css")
    assert css.text == ":root { --brand: #3b5bdb; --on-brand: #ffffff; --link: #3b5bdb; }\n"
    assert css.header("Cache-Control") == "public, max-age=3600"


def test_no_hsts_over_plain_http(app: PortalWebApp) -> None:
    answer = PortalTestClient(app, scheme="http").get("/login")
    assert answer.header("Strict-Transport-Security") is None


@pytest.mark.parametrize("path", ["/logout", "/subscriptions/sub_1/reactivate",
                                  "/subscriptions/sub_1/payment-method"])
def test_get_on_an_action_is_405(buyer: PortalTestClient, path: str) -> None:
    answer = buyer.get(path)
    assert answer.status == 405
    assert answer.header("Allow") == "POST"


def test_put_on_a_page_is_405(buyer: PortalTestClient) -> None:
    answer = buyer.request("PUT", "/subscriptions/sub_1/cancel")
    assert answer.status == 405 and answer.header("Allow") == "GET, HEAD, POST"


@pytest.mark.parametrize("token", [None, "", "forged", "other-session"])
def test_csrf_missing_or_wrong_is_403_and_changes_nothing(
        buyer: PortalTestClient, app: PortalWebApp, kit: PortalKit, token: str | None) -> None:
    if token == "other-session":
        other = PortalTestClient(app)
        from .helpers import login

        login(other, kit)
        token = other.get("/").csrf_token
    form = {"reason": "", "comment": "", "idempotency_key": "k" * 24}
    if token is not None:
        form["csrf_token"] = token
    answer = buyer.post("/subscriptions/sub_1/cancel", form)
    assert answer.status == 403
    sub = kit.store.get_subscription("sub_1")
    assert sub is not None and sub.status.value == "active"


def test_cross_site_posts_are_refused_even_with_a_token(buyer: PortalTestClient,
                                                       kit: PortalKit) -> None:
    page = buyer.get("/subscriptions/sub_1/cancel")
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        form = page.form("/subscriptions/sub_1/cancel").values()
        answer = buyer.post("/subscriptions/sub_1/cancel", form, headers=headers)
        assert answer.status == 403
    ok = buyer.post("/subscriptions/sub_1/cancel", page.form("/subscriptions/sub_1/cancel")
                    .values(), headers={"Origin": "https://shop.example",
                                        "Sec-Fetch-Site": "same-origin"})
    assert ok.status == 303


def test_fetch_metadata_wins_over_a_null_origin(buyer: PortalTestClient) -> None:
    """Chromium sends Origin: null from no-referrer pages; Sec-Fetch-Site tells the truth."""
    page = buyer.get("/subscriptions/sub_1/cancel")
    lone_null = buyer.post("/subscriptions/sub_1/cancel",
                           page.form("/subscriptions/sub_1/cancel").values(),
                           headers={"Origin": "null"})
    assert lone_null.status == 403
    same_origin = buyer.post("/subscriptions/sub_1/cancel",
                             page.form("/subscriptions/sub_1/cancel").values(),
                             headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"})
    assert same_origin.status == 303


def test_unexpected_errors_get_a_generic_500(buyer: PortalTestClient,
                                             monkeypatch: pytest.MonkeyPatch,
                                             caplog: pytest.LogCaptureFixture) -> None:
    def boom(*_args: object) -> object:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(overview, "summaries", boom)
    with caplog.at_level(logging.ERROR, logger="waffo_portal.web"):
        answer = buyer.get("/")
    assert answer.status == 500
    assert "secret internal detail" not in answer.text and "Something went wrong" in answer.text
    assert answer.header("Content-Security-Policy") == CSP
    assert "secret internal detail" in caplog.text  # logged with the traceback


def test_language_switch_to_japanese_and_arabic(buyer: PortalTestClient) -> None:
    ja = buyer.get("/", query={"lang": "ja"})
    assert '<html lang="ja" dir="ltr">' in ja.text and "ログアウト" in ja.text
    assert "__Host-waffo_portal_lang" in buyer.cookies
    assert '<html lang="ja"' in buyer.get("/orders").text  # remembered by cookie
    ar = buyer.get("/orders", query={"lang": "ar"})
    assert '<html lang="ar" dir="rtl">' in ar.text and "الطلبات" in ar.text
    # the language menu (rendered once per language) selects the page's language
    again = buyer.get("/", query={"lang": "ja"}).text
    for text, code in ((ja.text, "ja"), (ar.text, "ar"), (again, "ja")):
        assert text.count(" selected>") == 1 and f'lang="{code}" selected>' in text


def test_accept_language_and_buyer_preference(app: PortalWebApp, kit: PortalKit) -> None:
    page = PortalTestClient(app, headers={"Accept-Language": "fr-CA,fr;q=0.9"}).get("/login")
    assert '<html lang="fr"' in page.text and "M’envoyer un lien de connexion" in page.text


def test_wsgi_adapter_with_a_mount_prefix(app: PortalWebApp) -> None:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, headers

    environ = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "/billing", "PATH_INFO": "/login",
               "QUERY_STRING": "lang=de", "wsgi.input": io.BytesIO(b""),
               "wsgi.url_scheme": "https", "REMOTE_ADDR": "127.0.0.1",
               "HTTP_ACCEPT_LANGUAGE": "ja"}
    body = b"".join(PortalWSGIApp(app)(environ, start_response))
    assert seen["status"] == "200 OK"
    assert b'<html lang="de"' in body
    assert ("Content-Length", str(len(body))) in seen["headers"]
    assert any(name == "Set-Cookie" for name, _ in seen["headers"])


def test_request_parses_urlencoded_bodies_and_cookie_headers() -> None:
    request = Request("post", "/x", body=b"a=1&a=2&b=%C3%A9",
                      headers={"Content-Type": "application/x-www-form-urlencoded",
                               "Cookie": "s=abc; t=1"})
    assert request.method == "POST"
    assert request.form["a"] == ["1", "2"] and request.form.get_one("b") == "é"
    assert request.cookies == {"s": "abc", "t": "1"}
    assert request.headers["content-type"] == request.headers["CONTENT-TYPE"]


def test_http_cookie_path_for_other_cookie_names(kit: PortalKit) -> None:
    from waffo_portal import Portal
    from waffo_portal.testing.factories import test_config

    from .helpers import login

    config = test_config(cookie_name="portal_sid", cookie_secure=False,
                         base_url="http://localhost:8000/billing")
    portal = Portal(config, store=kit.store, mailer=kit.mailer, gateway=kit.gateway,
                    clock=kit.clock)
    client = PortalTestClient(PortalWebApp(portal), scheme="http")
    done = login(client, kit)
    cookie = done.response.set_cookies[0]
    assert cookie.name == "portal_sid" and cookie.path == "/billing" and not cookie.secure
