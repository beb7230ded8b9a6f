"""Requesting login links: generic answers, rate limits, locale, host, revocation, failures."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from waffo_portal import (
    Buyer,
    DeliveryFailed,
    EmailMessage,
    InvalidToken,
    TokenUsed,
    ValidationError,
)
from waffo_portal.testing import PortalKit, make_kit
from waffo_portal.testing.factories import test_config
from waffo_portal.use_cases import auth

from .helpers import email_token, link_in, token_of


def _snapshot(kit: PortalKit) -> tuple[int, int]:
    return len(kit.mailer.outbox), len(kit.store.list_audit_events())


def test_known_email_gets_a_link_built_from_configured_host(kit: PortalKit) -> None:
    kit.portal.request_login_link("  ADA@Example.com ", client_ip="203.0.113.7")
    message = kit.mailer.last_to("ada@example.com")
    url = link_in(message)
    assert url.startswith("https://shop.example/billing/login/confirm?token=")
    assert url in message.html.replace("&amp;", "&")
    assert "15 minutes" in message.text and "15 minutes" in message.html
    assert message.subject == "Your sign-in link for Merchant"
    assert kit.portal.peek_login_link(token_of(url)).masked_email == "a•••@example.com"


def test_link_host_comes_only_from_config() -> None:
    kit = make_kit(config=test_config(base_url="https://portal.merchant.test/account"))
    kit.portal.request_login_link("ada@example.com", client_ip="198.51.100.1")
    assert link_in(kit.mailer.outbox[-1]).startswith(
        "https://portal.merchant.test/account/login/confirm?token=")


def test_known_and_unknown_emails_behave_alike(kit: PortalKit) -> None:
    # neither raises nor returns anything the caller could tell apart
    kit.portal.request_login_link("ada@example.com", client_ip="203.0.113.7")
    kit.portal.request_login_link("nobody@example.com", client_ip="203.0.113.8")
    assert [m.to for m in kit.mailer.outbox] == ["ada@example.com"]
    actions = [e.action for e in kit.store.list_audit_events()]
    assert actions == ["login.link_requested", "login.link_requested"]


@pytest.mark.parametrize("bad", ["", "no-at-sign", "a@b", "a b@example.com",
                                 "x@example.com\r\nBcc: evil@example.com", "a" * 250 + "@x.io"])
def test_malformed_email_is_a_validation_error(kit: PortalKit, bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        kit.portal.request_login_link(bad, client_ip="203.0.113.7")
    assert set(info.value.errors) == {"email"}
    assert kit.mailer.outbox == []


def test_buyer_locale_wins_then_request_locale_then_english(kit: PortalKit) -> None:
    kit.portal.request_login_link("bob@example.com", client_ip="203.0.113.7", locale="fr")
    assert kit.mailer.last_to("bob@example.com").subject == "Ihr Anmeldelink für Merchant"
    kit.store.save_buyer(Buyer("buyer_3", "kim@example.com", None, "Kim"))
    kit.portal.request_login_link("kim@example.com", client_ip="203.0.113.7", locale="ja-JP")
    assert kit.mailer.last_to("kim@example.com").subject == "Merchant のログインリンク"
    kit.store.save_buyer(Buyer("buyer_4", "lee@example.com", "xx", "Lee"))
    kit.portal.request_login_link("lee@example.com", client_ip="203.0.113.7", locale="zz")
    assert kit.mailer.last_to("lee@example.com").subject.startswith("Your sign-in link")


def test_rate_limit_per_email_and_network_is_silent(kit: PortalKit) -> None:
    limit = kit.portal.config.login_rate_per_email
    for _ in range(limit):
        kit.portal.request_login_link("ada@example.com", client_ip="203.0.113.7")
    assert len(kit.mailer.outbox) == limit
    kit.portal.request_login_link("Ada@example.com", client_ip="203.0.113.7")  # no error
    assert len(kit.mailer.outbox) == limit
    kit.clock.advance(kit.portal.config.login_rate_window + timedelta(seconds=1))
    kit.portal.request_login_link("ada@example.com", client_ip="203.0.113.7")
    assert len(kit.mailer.outbox) == limit + 1


def test_past_the_flood_cap_one_link_a_minute_still_goes_out(kit: PortalKit) -> None:
    """Many networks asking for one address: its inbox is protected, yet never starved."""
    cap = kit.portal.config.login_rate_per_email * 4
    for index in range(cap + 5):
        kit.portal.request_login_link("ada@example.com", client_ip=f"198.51.100.{index}")
    assert len(kit.mailer.outbox) == cap + 1  # the cap, then one for this minute
    kit.clock.advance(timedelta(minutes=1, seconds=1))
    kit.portal.request_login_link("ada@example.com", client_ip="203.0.113.7")
    kit.portal.request_login_link("ada@example.com", client_ip="203.0.113.8")
    assert len(kit.mailer.outbox) == cap + 2


def test_rate_limit_per_ip_is_silent(kit: PortalKit) -> None:
    limit = kit.portal.config.login_rate_per_ip
    for index in range(limit - 1):
        kit.portal.request_login_link(f"probe{index}@example.com", client_ip="203.0.113.66")
    kit.portal.request_login_link("ada@example.com", client_ip="203.0.113.66")
    assert len(kit.mailer.outbox) == 1
    before = _snapshot(kit)
    kit.portal.request_login_link("bob@example.com", client_ip="203.0.113.66")
    assert _snapshot(kit) == before  # nothing sent, nothing audited, nothing raised
    kit.portal.request_login_link("bob@example.com", client_ip="203.0.113.67")
    assert kit.mailer.last_to("bob@example.com")


def test_newer_link_voids_older_ones(kit: PortalKit) -> None:
    first = email_token(kit)
    second = email_token(kit)
    with pytest.raises(InvalidToken) as info:
        kit.portal.confirm_login(first)
    assert info.value.context["reason"] == "revoked"
    assert kit.portal.confirm_login(second).buyer_id == kit.buyer.id


def test_peek_twice_then_confirm_still_works(kit: PortalKit) -> None:
    token = email_token(kit)
    for _ in range(2):  # a mail scanner's prefetch, then the buyer's own GET
        preview = kit.portal.peek_login_link(token)
        assert preview.masked_email == "a•••@example.com"
    assert kit.portal.confirm_login(token).buyer_id == kit.buyer.id
    with pytest.raises(TokenUsed):
        kit.portal.peek_login_link(token)


class CapturingFailingMailer:
    """Sees the message (so the test holds the token), then fails like a dead server."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.seen: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.seen.append(message)
        raise self.error


@pytest.mark.parametrize("error", [DeliveryFailed("down", reason="refused"),
                                   OSError("connection reset")])
def test_a_mailer_failure_is_not_raised_and_the_link_waits_for_the_retry(
        kit: PortalKit, error: Exception, caplog: pytest.LogCaptureFixture) -> None:
    failing = CapturingFailingMailer(error)
    deps = attrs.evolve(kit.portal._deps, mailer=failing)
    auth.request_login_link(deps, "ada@example.com", "203.0.113.7", None, None)  # no raise
    token = token_of(link_in(failing.seen[0]))
    assert token not in caplog.text
    assert kit.portal.peek_login_link(token).masked_email == "a•••@example.com"
    assert kit.portal.deliver_mail().total == 0  # not due before its back-off
    kit.clock.advance(timedelta(minutes=1))
    assert kit.portal.deliver_mail().sent == 1  # the portal's own mailer works
    assert token_of(link_in(kit.mailer.last_to("ada@example.com"))) == token
    assert kit.portal.confirm_login(token).buyer_id == kit.buyer.id


def test_return_to_is_kept_only_when_safe(kit: PortalKit) -> None:
    token = email_token(kit, return_to="/billing/orders?page=2")
    assert kit.portal.confirm_login(token).return_to == "/billing/orders?page=2"
    token = email_token(kit, return_to="//evil.com/")
    assert kit.portal.confirm_login(token).return_to == "/billing/"
