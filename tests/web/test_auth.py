from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from waffo_portal import AuthenticationRequired
from waffo_portal.testing import PortalKit
from waffo_portal.testing.client import PortalTestClient
from waffo_portal.web import PortalWebApp

from .helpers import link_from_outbox, login, request_link


def test_login_end_to_end_opens_a_session(client: PortalTestClient, kit: PortalKit) -> None:
    assert client.get("/").status == 303  # not logged in yet
    done = login(client, kit)
    assert done.location == "/billing/"
    overview = client.follow(done)
    assert overview.status == 200
    assert "Ada Lovelace" in overview.text
    cookie = next(c for c in done.response.set_cookies if c.name == "__Host-waffo_portal")
    assert cookie.http_only and cookie.secure and cookie.same_site == "Lax"
    assert cookie.path == "/"


def test_known_and_unknown_emails_get_byte_identical_answers(app: PortalWebApp,
                                                             kit: PortalKit) -> None:
    answers = []
    for email in ("ada@example.com", "nobody@example.com"):
        client = PortalTestClient(app)
        answers.append(request_link(client, email).response)
        answers.append(client.get("/login/sent").response)
    assert len(kit.mailer.outbox) == 1
    assert answers[0] == answers[2]  # status, headers, body, cookies: all equal
    assert answers[1] == answers[3]
    assert answers[0].set_cookies == ()


def test_a_mail_server_failure_looks_like_success_and_is_retried(
        client: PortalTestClient, kit: PortalKit) -> None:
    kit.mailer.fail_with = "refused"
    answer = request_link(client)
    # Like any address (known or not): the outbox retries; the page tells nothing.
    assert answer.status == 303 and answer.location == "/billing/login/sent"
    kit.mailer.fail_with = None
    kit.clock.advance(timedelta(minutes=1))
    assert kit.portal.deliver_mail().sent == 1
    assert link_from_outbox(kit)


def test_invalid_email_is_a_form_error(client: PortalTestClient) -> None:
    answer = request_link(client, "not-an-email")
    assert answer.status == 422
    assert "Enter a valid email address" in answer.text
    assert 'aria-invalid="true"' in answer.text


def test_head_and_get_consume_nothing(client: PortalTestClient, kit: PortalKit) -> None:
    request_link(client)
    link = link_from_outbox(kit)
    head = PortalTestClient(client.app).head(link)
    assert head.status == 200 and head.response.body == b""
    first = PortalTestClient(client.app).get(link)
    page = client.get(link)
    assert "a•••@example.com" in page.text and first.text == page.text
    assert page.header("Referrer-Policy") == "no-referrer"
    assert page.header("Cache-Control") == "no-store"
    done = client.submit(page, "/login/confirm")
    assert done.status == 303
    again = PortalTestClient(client.app).submit(page, "/login/confirm")
    assert again.status == 400  # a link works once


def test_pre_login_session_is_dropped(client: PortalTestClient, kit: PortalKit) -> None:
    login(client, kit)
    old = client.cookies["__Host-waffo_portal"]
    request_link(PortalTestClient(client.app))  # a second link, confirmed in this browser
    confirm = client.get(link_from_outbox(kit))
    assert client.submit(confirm, "/login/confirm").status == 303
    assert client.cookies["__Host-waffo_portal"] != old
    replay = PortalTestClient(client.app)
    replay.cookies["__Host-waffo_portal"] = old
    assert replay.get("/").status == 303


def test_logout_revokes_the_session(buyer: PortalTestClient) -> None:
    cookie = buyer.cookies["__Host-waffo_portal"]
    page = buyer.get("/")
    out = buyer.submit(page, "/logout")
    assert out.status == 303 and "__Host-waffo_portal" not in buyer.cookies
    assert "logged out" in buyer.follow(out).text
    replay = PortalTestClient(buyer.app)
    replay.cookies["__Host-waffo_portal"] = cookie
    assert replay.get("/orders").status == 303


def test_next_is_carried_through_the_login_link(client: PortalTestClient,
                                                 kit: PortalKit) -> None:
    first = client.get("/orders/ord_1")
    assert first.location == "/billing/login?next=%2Fbilling%2Forders%2Ford_1"
    page = client.follow(first)
    sent = client.submit(page, "/login", {"email": "ada@example.com"})
    assert sent.status == 303
    confirm = client.get(link_from_outbox(kit))
    assert client.submit(confirm, "/login/confirm").location == "/billing/orders/ord_1"


def test_open_redirects_in_next_land_on_the_portal(app: PortalWebApp, kit: PortalKit) -> None:
    for evil in ("//evil.example/x", "/\\evil.example", "https://evil.example/",
                 "javascript:alert(1)", "/billing/../../admin", "%2F%2Fevil.example"):
        kit.clock.advance(timedelta(minutes=16))  # stay under the per-email rate limit
        client = PortalTestClient(app)
        assert login(client, kit, next_path=evil).location == "/billing/"
        page = PortalTestClient(app).get("/login", query={"next": evil})
        assert "evil" not in page.form("/login").values()["next"]


def test_merchant_link_uses_the_same_confirm_flow(client: PortalTestClient,
                                                  kit: PortalKit) -> None:
    url = kit.portal.create_login_link(kit.buyer.id, return_url="/billing/subscriptions")
    page = client.get(url)
    assert page.status == 200
    done = client.submit(page, "/login/confirm")
    assert done.location == "/billing/subscriptions"
    assert client.follow(done).status == 200


def test_bad_links_get_a_page_not_a_crash(client: PortalTestClient) -> None:
    for token in ("", "garbage", "x" * 5000):
        page = client.get("/login/confirm", query={"token": token})
        assert page.status == 400
        assert "Request a new sign-in link" in page.text


def test_expired_session_mid_flow_charges_nothing_and_comes_back(
        buyer: PortalTestClient, kit: PortalKit) -> None:
    review = buyer.get("/subscriptions/sub_1/change/review", query={"plan": "pro-usd"})
    assert review.status == 200
    kit.clock.advance(timedelta(minutes=31))
    posted = buyer.submit(review, "/subscriptions/sub_1/change")
    assert posted.status == 303
    assert posted.location is not None and posted.location.startswith("/billing/login?next=")
    assert "expired=1" in posted.location
    assert kit.gateway.calls == 0
    login_page = buyer.follow(posted)
    assert "session expired" in login_page.text
    sent = buyer.submit(login_page, "/login", {"email": "ada@example.com"})
    assert sent.status == 303
    confirm = buyer.get(link_from_outbox(kit))
    back = buyer.submit(confirm, "/login/confirm")
    assert back.location == "/billing/subscriptions/sub_1/change/review?plan=pro-usd"
    assert buyer.follow(back).status == 200
    assert kit.gateway.calls == 0


def test_session_lives_thirty_minutes(buyer: PortalTestClient, kit: PortalKit) -> None:
    kit.clock.advance(timedelta(minutes=29, seconds=59))
    assert buyer.get("/orders").status == 200
    kit.clock.advance(timedelta(seconds=2))
    expired = buyer.get("/orders")
    assert expired.location == "/billing/login?next=%2Fbilling%2Forders&expired=1"
    assert "__Host-waffo_portal" not in buyer.cookies


def test_a_bad_link_page_shows_its_keys_message_in_the_buyers_language(
        client: PortalTestClient) -> None:
    from waffo_portal.core.messages import MESSAGES
    from waffo_portal.i18n import get_translations

    expected = get_translations("ja", "portal").gettext(MESSAGES["link.invalid"])
    assert expected != MESSAGES["link.invalid"]
    page = client.get("/login/confirm", query={"token": "garbage"},
                      headers={"Accept-Language": "ja"})
    assert page.status == 400
    assert expected in page.text
    assert MESSAGES["link.invalid"] not in page.text


def test_log_out_everywhere_ends_the_other_browsers_session_too(
        buyer: PortalTestClient, kit: PortalKit) -> None:
    elsewhere = kit.portal.confirm_login(
        parse_qs(urlsplit(kit.portal.create_login_link(kit.buyer.id)).query)["token"][0]).session_id
    page = buyer.get("/")
    assert "Log out everywhere" in page.text
    out = buyer.submit(page, "/logout", button=("everywhere", "1"))
    assert out.status == 303 and "__Host-waffo_portal" not in buyer.cookies
    with pytest.raises(AuthenticationRequired):
        kit.portal.authenticate(elsewhere)
