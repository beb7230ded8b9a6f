"""Portal links for emails: the login page with the address filled in, and nothing more."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from waffo_portal import (
    ConfigurationError,
    InvalidToken,
    NotFound,
    PortalConfig,
    ValidationError,
)
from waffo_portal.testing import PortalKit, make_kit
from waffo_portal.testing.client import PortalTestClient, TestResponse
from waffo_portal.testing.factories import TEST_SECRET, test_config
from waffo_portal.web import PortalWebApp

from .helpers import link_from_outbox, login

EMAIL_FIELD = re.compile(r'<input id="email" name="email"[^>]*value="([^"]*)"')


def email_in_form(page: TestResponse) -> str:
    found = EMAIL_FIELD.search(page.text)
    assert found is not None, page.text
    return found.group(1)


def next_in_form(page: TestResponse) -> str:
    return page.form("/login").values()["next"]


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["prefill"][0]


def test_link_leads_to_the_login_page_of_the_configured_host(kit: PortalKit) -> None:
    url = kit.portal.email_portal_link(kit.buyer.id)
    assert url.startswith("https://shop.example/billing/login?prefill=")
    assert kit.buyer.email not in url  # the address is looked up, never carried


def test_the_login_page_fills_in_the_address_and_logs_nobody_in(
        client: PortalTestClient, kit: PortalKit) -> None:
    page = client.get(kit.portal.email_portal_link(kit.buyer.id))
    assert page.status == 200
    assert email_in_form(page) == "ada@example.com"
    assert not client.cookies  # no session: the buyer still gets a one-time link
    assert client.get("/subscriptions").status == 303  # still signed out
    sent = client.submit(page, "/login")
    assert sent.location == "/billing/login/sent"
    assert client.get(link_from_outbox(kit)).status == 200  # the usual magic link


def test_next_travels_with_the_link_to_the_page_after_login(
        client: PortalTestClient, kit: PortalKit) -> None:
    url = kit.portal.email_portal_link(kit.buyer.id, next="/billing/orders")
    page = client.get(url)
    assert next_in_form(page) == "/billing/orders"
    client.submit(page, "/login")
    confirm = client.get(link_from_outbox(kit))
    assert client.submit(confirm, "/login/confirm").location == "/billing/orders"


def test_a_signed_in_browser_goes_straight_to_next(buyer: PortalTestClient,
                                                  kit: PortalKit) -> None:
    url = kit.portal.email_portal_link(kit.buyer.id, next="/billing/orders")
    assert buyer.get(url).location == "/billing/orders"


def test_an_unsigned_email_parameter_never_fills_in_the_form(client: PortalTestClient) -> None:
    # (the language menu keeps the query as it was, escaped: that fills in nothing)
    for name in ("email", "prefill"):
        page = client.get("/login", query={name: "victim@example.com"})
        assert email_in_form(page) == ""
        assert page.form("/login").values()["email"] == ""


def _looks_like_a_plain_login(page: TestResponse, plain: TestResponse) -> None:
    assert page.status == 200
    assert email_in_form(page) == ""
    assert next_in_form(page) == "/billing/"
    assert "ada@example.com" not in page.text and "Ada" not in page.text
    assert page.form("/login").values() | {"csrf_token": ""} == (
        plain.form("/login").values() | {"csrf_token": ""})


def test_a_tampered_link_shows_the_plain_login_form(client: PortalTestClient,
                                                    kit: PortalKit) -> None:
    plain = client.get("/login")
    token = token_of(kit.portal.email_portal_link(kit.buyer.id))
    body, _, signature = token.rpartition(".")
    forged = f"{body}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    other = token_of(kit.portal.email_portal_link(kit.other_buyer.id))
    for bad in (forged, token[:-1], "x" * 2000, other.split(".")[0] + token[token.index("."):]):
        _looks_like_a_plain_login(client.get("/login", query={"prefill": bad}), plain)


def test_an_expired_link_shows_the_plain_login_form(client: PortalTestClient,
                                                    kit: PortalKit) -> None:
    plain = client.get("/login")
    url = kit.portal.email_portal_link(kit.buyer.id, next="/billing/orders")
    kit.clock.advance(timedelta(days=14) - timedelta(seconds=1))
    assert email_in_form(client.get(url)) == "ada@example.com"
    kit.clock.advance(timedelta(seconds=2))
    _looks_like_a_plain_login(client.get(url), plain)


def test_a_link_signed_with_another_key_or_for_another_purpose_is_ignored(
        kit: PortalKit) -> None:
    other = make_kit(config=test_config(secret_keys=("another-secret-key-that-is-long-0123456",)))
    foreign = other.portal.email_portal_link(other.buyer.id)
    assert kit.portal.login_prefill(token_of(foreign)) is None
    merchant_link = kit.portal.create_login_link(kit.buyer.id)
    login_token = parse_qs(urlsplit(merchant_link).query)["token"][0]
    assert kit.portal.login_prefill(login_token) is None
    with pytest.raises(InvalidToken):  # and a portal link never works as a login link
        kit.portal.peek_login_link(token_of(kit.portal.email_portal_link(kit.buyer.id)))


def test_rotated_keys_keep_links_working() -> None:
    old = make_kit()
    url = old.portal.email_portal_link(old.buyer.id)
    rotated = make_kit(config=test_config(
        secret_keys=(TEST_SECRET, "the-newest-secret-key-that-is-long-01234")))
    prefill = rotated.portal.login_prefill(token_of(url))
    assert prefill is not None and prefill.email == "ada@example.com"


def test_unknown_buyer_and_bad_next_are_refused_when_minting(kit: PortalKit) -> None:
    with pytest.raises(NotFound):
        kit.portal.email_portal_link("no-such-buyer")
    with pytest.raises(ValidationError) as info:
        kit.portal.email_portal_link(kit.buyer.id, next="https://evil.example/")
    assert info.value.keys == {"next": "redirect.refused"}


def test_lifetime_is_a_validated_setting() -> None:
    assert test_config().email_link_lifetime == timedelta(days=14)
    config = PortalConfig.from_mapping({"secret_keys": [TEST_SECRET],
                                        "base_url": "https://shop.example/billing",
                                        "email_link_lifetime": 3 * 86400})
    assert config.email_link_lifetime == timedelta(days=3)
    for bad in (timedelta(0), timedelta(minutes=59), timedelta(days=91)):
        with pytest.raises(ConfigurationError) as info:
            test_config(email_link_lifetime=bad).validate()
        assert info.value.context.get("setting") == "email_link_lifetime"


def test_the_setting_decides_when_links_expire() -> None:
    kit = make_kit(config=test_config(email_link_lifetime=timedelta(days=2)))
    client = PortalTestClient(PortalWebApp(kit.portal))
    url = kit.portal.email_portal_link(kit.buyer.id)
    kit.clock.advance(timedelta(days=2, seconds=1))
    assert email_in_form(client.get(url)) == ""


def test_after_logout_the_link_still_only_fills_in_the_form(client: PortalTestClient,
                                                            kit: PortalKit) -> None:
    login(client, kit)
    logout = client.get("/")
    client.submit(logout, "/logout")
    page = client.get(kit.portal.email_portal_link(kit.buyer.id))
    assert email_in_form(page) == "ada@example.com"
    assert client.get("/orders").status == 303
