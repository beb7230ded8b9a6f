"""Security hardening: emails audited under a keyed HMAC; links die on login and logout;
"log out everywhere" ends every session of the buyer."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from waffo_portal import AuthenticationRequired, InvalidToken, Portal
from waffo_portal.core.exceptions import ConfigurationError
from waffo_portal.mail.memory import MemoryMailer
from waffo_portal.payments import TestGateway
from waffo_portal.stores.memory import MemoryStore
from waffo_portal.testing import PortalKit, make_kit
from waffo_portal.testing.factories import test_config

from .helpers import email_token, login, token_of

AUDIT_SECRET = "audit-secret-that-is-long-enough-0123456789"


def _stored_text(kit: PortalKit) -> str:
    attempts = kit.store._t["attempts"]  # the memory store's rate-limit buckets
    return repr(kit.store.list_audit_events(limit=1000)) + repr(sorted(attempts))


@pytest.mark.parametrize("email", ["ada@example.com", "nobody@example.com"])
def test_typed_emails_are_kept_only_as_a_keyed_hmac(email: str) -> None:
    kit = make_kit(config=test_config(audit_secret=AUDIT_SECRET))
    kit.portal.request_login_link(email, client_ip="203.0.113.7")
    stored = _stored_text(kit)
    assert hashlib.sha256(email.encode()).hexdigest() not in stored  # not reversible by list
    keyed = hmac.new(AUDIT_SECRET.encode(), email.encode(), "sha256").hexdigest()
    assert keyed in stored
    other = make_kit(config=test_config(audit_secret=AUDIT_SECRET[::-1]))
    other.portal.request_login_link(email, client_ip="203.0.113.7")
    assert keyed not in _stored_text(other)  # another key, another digest


def test_a_short_audit_secret_is_refused() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Portal(test_config(audit_secret="short"), store=MemoryStore(), mailer=MemoryMailer(),
               gateway=TestGateway())
    assert caught.value.setting == "audit_secret"


def test_an_earlier_link_dies_when_the_buyer_logs_in_another_way(kit: PortalKit) -> None:
    emailed = email_token(kit)
    handed = kit.portal.create_login_link(kit.buyer.id)
    kit.portal.confirm_login(token_of(handed))
    with pytest.raises(InvalidToken) as caught:
        kit.portal.confirm_login(emailed)
    assert caught.value.key == "link.revoked"


def test_logout_voids_links_requested_before_it(kit: PortalKit) -> None:
    session = login(kit)
    emailed = email_token(kit)  # requested while logged in, e.g. from another device
    kit.portal.logout(session)
    with pytest.raises(InvalidToken) as caught:
        kit.portal.confirm_login(emailed)
    assert caught.value.key == "link.revoked"


def test_log_out_everywhere_ends_every_session_of_the_buyer_only(kit: PortalKit) -> None:
    here, there = login(kit), kit.portal.confirm_login(
        token_of(kit.portal.create_login_link(kit.buyer.id))).session_id
    bystander = kit.portal.confirm_login(
        token_of(kit.portal.create_login_link(kit.other_buyer.id))).session_id
    pending = email_token(kit)
    kit.portal.logout_everywhere(here)
    for session in (here, there):
        with pytest.raises(AuthenticationRequired):
            kit.portal.authenticate(session)
    with pytest.raises(InvalidToken):
        kit.portal.confirm_login(pending)
    assert kit.portal.authenticate(bystander).buyer_id == kit.other_buyer.id
    assert "logout.everywhere" in {e.action for e in kit.store.list_audit_events()}
    with pytest.raises(AuthenticationRequired):
        kit.portal.logout_everywhere(here)  # no live session: nothing to act for
