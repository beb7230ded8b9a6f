"""Error pages keep a signed-in buyer signed in: the navigation, log out and "Back to the
overview", never "Go to sign-in" (issue #17, item 7)."""

from __future__ import annotations

import pytest

from waffo_portal.testing import PortalKit
from waffo_portal.testing.client import PortalTestClient, TestResponse
from waffo_portal.web import PortalWebApp

SIGN_IN = "Go to sign-in"
OVERVIEW = "Back to the overview"


def signed_in(page: TestResponse) -> bool:
    return ('<nav aria-label="Main">' in page.text and 'class="logout"' in page.text
            and OVERVIEW in page.text and SIGN_IN not in page.text)


def signed_out(page: TestResponse) -> bool:
    return ("<nav" not in page.text and 'class="logout"' not in page.text
            and SIGN_IN in page.text)


@pytest.mark.parametrize("path", ["/nope", "/orders/x/y/z", "/static"])
def test_an_unknown_url_keeps_a_signed_in_buyer_signed_in(buyer: PortalTestClient,
                                                          path: str) -> None:
    page = buyer.get(path)
    assert page.status == 404
    assert signed_in(page), page.text
    assert 'aria-current="page"' not in page.text  # no navigation entry claims the 404


def test_an_unknown_url_signed_out_offers_sign_in(client: PortalTestClient) -> None:
    page = client.get("/nope")
    assert page.status == 404 and signed_out(page)


def test_a_missing_order_keeps_the_buyer_signed_in(buyer: PortalTestClient) -> None:
    page = buyer.get("/orders/no-such-order")
    assert page.status == 404 and signed_in(page)


def test_a_wrong_method_on_a_page_is_a_signed_in_page_with_allow(
        buyer: PortalTestClient) -> None:
    page = buyer.request("PUT", "/orders")
    assert page.status == 405 and page.header("Allow") == "GET, HEAD"
    assert signed_in(page)
    assert "Page not found" in page.text


def test_a_get_on_an_action_is_a_page_signed_out_too(client: PortalTestClient) -> None:
    page = client.get("/logout")
    assert page.status == 405 and page.header("Allow") == "POST"
    assert signed_out(page)


def test_a_dead_session_cookie_on_an_unknown_url_is_signed_out(
        buyer: PortalTestClient, kit: PortalKit) -> None:
    kit.clock.advance(kit.portal.config.session_lifetime * 2)
    page = buyer.get("/nope")
    assert page.status == 404 and signed_out(page)


def test_a_failing_session_lookup_costs_only_the_header(
        buyer: PortalTestClient, kit: PortalKit, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(raw: str) -> None:
        raise RuntimeError("store down")

    monkeypatch.setattr(kit.portal, "authenticate", broken)
    page = buyer.get("/nope")
    assert page.status == 404 and signed_out(page)


def test_the_crash_page_offers_the_overview_to_a_buyer_with_a_session(
        buyer: PortalTestClient, app: PortalWebApp, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(app, "_dispatch", crash)
    page = buyer.get("/orders")
    assert page.status == 500
    assert OVERVIEW in page.text and SIGN_IN not in page.text and "boom" not in page.text


def test_the_crash_page_offers_sign_in_without_a_session(
        client: PortalTestClient, app: PortalWebApp, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(app, "_dispatch", crash)
    page = client.get("/orders")
    assert page.status == 500 and SIGN_IN in page.text


def test_a_signed_in_404_speaks_the_buyers_language(buyer: PortalTestClient) -> None:
    page = buyer.get("/nope", query={"lang": "de"})
    assert page.status == 404 and '<html lang="de"' in page.text
    assert "Zurück zur Übersicht" in page.text and "/billing/logout" in page.text


def test_the_crash_page_speaks_the_requested_language(
        client: PortalTestClient, app: PortalWebApp, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(app, "_dispatch", crash)
    by_query = client.get("/orders", query={"lang": "ja"})
    assert by_query.status == 500 and '<html lang="ja"' in by_query.text
    assert "Something went wrong" not in by_query.text
    by_browser = client.get("/orders", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert '<html lang="de"' in by_browser.text
