"""The merchant's direct hand-off (``Portal.start_session``): the core rules."""

from __future__ import annotations

import pytest

from waffo_portal import AuthenticationRequired, InvalidToken, NotFound, ValidationError
from waffo_portal.testing import PortalKit
from waffo_portal.tokens import sha256_hex

from .helpers import email_token, login


def test_opens_a_live_session_for_the_buyer_with_a_fresh_id(kit: PortalKit) -> None:
    first = kit.portal.start_session(kit.buyer.id, next="/billing/subscriptions")
    second = kit.portal.start_session(kit.buyer.id)
    assert first.session_id != second.session_id and len(first.session_id) >= 40
    assert first.return_to == "/billing/subscriptions" and second.return_to == "/billing/"
    session = kit.portal.authenticate(first.session_id)
    assert session.buyer_id == kit.buyer.id
    assert first.expires_at == kit.clock.now() + kit.portal.config.session_lifetime
    # only the hash is stored
    assert kit.store.get_session(sha256_hex(first.session_id)) is not None
    assert kit.store.get_session(first.session_id) is None


def test_the_browsers_previous_session_is_revoked(kit: PortalKit) -> None:
    before = login(kit)
    other = kit.portal.start_session(kit.other_buyer.id).session_id  # another browser
    new = kit.portal.start_session(kit.buyer.id, previous_session_id=before)
    with pytest.raises(AuthenticationRequired):
        kit.portal.authenticate(before)
    assert kit.portal.authenticate(new.session_id).buyer_id == kit.buyer.id
    assert kit.portal.authenticate(other).buyer_id == kit.other_buyer.id


def test_a_previous_session_of_another_buyer_is_revoked_too(kit: PortalKit) -> None:
    # the browser changes hands: whoever was signed in there is signed out
    before = kit.portal.start_session(kit.other_buyer.id).session_id
    kit.portal.start_session(kit.buyer.id, previous_session_id=before)
    with pytest.raises(AuthenticationRequired):
        kit.portal.authenticate(before)


def test_pending_login_links_die_with_the_hand_off(kit: PortalKit) -> None:
    token = email_token(kit)
    kit.portal.start_session(kit.buyer.id)
    with pytest.raises(InvalidToken):
        kit.portal.confirm_login(token)


def test_unknown_buyer_is_not_found_and_writes_nothing(kit: PortalKit) -> None:
    events = len(kit.store.list_audit_events())
    with pytest.raises(NotFound):
        kit.portal.start_session("no-such-buyer")
    assert len(kit.store.list_audit_events()) == events


@pytest.mark.parametrize("bad", [
    "https://evil.example/billing/", "//evil.example/billing", "/\\evil.example",
    "/account/settings",  # on the site, but outside the portal
    "/billing/../admin", "javascript:alert(1)", "/billing/\nSet-Cookie: x=1",
])
def test_next_outside_the_portal_is_refused_before_anything_happens(kit: PortalKit,
                                                                   bad: str) -> None:
    before = login(kit)
    with pytest.raises(ValidationError) as info:
        kit.portal.start_session(kit.buyer.id, next=bad, previous_session_id=before)
    assert info.value.keys == {"next": "redirect.refused"}
    assert "next" in str(info.value)
    assert kit.portal.authenticate(before).buyer_id == kit.buyer.id  # nothing revoked


@pytest.mark.parametrize(("target", "lands"), [
    ("/billing/orders?page=2", "/billing/orders?page=2"),
    ("https://shop.example/billing/subscriptions", "https://shop.example/billing/subscriptions"),
    ("/billing/中", "/billing/%E4%B8%AD"),
])
def test_next_inside_the_portal_is_kept(kit: PortalKit, target: str, lands: str) -> None:
    assert kit.portal.start_session(kit.buyer.id, next=target).return_to == lands


def test_audited_as_a_login_by_the_merchant(kit: PortalKit) -> None:
    new = kit.portal.start_session(kit.buyer.id, next="/billing/orders")
    (event,) = kit.store.list_audit_events(subject=f"buyer:{kit.buyer.id}", limit=1)
    assert (event.action, event.actor) == ("login.succeeded", "merchant")
    assert event.new["purpose"] == "merchant_handoff"
    assert event.new["return_to"] == "/billing/orders"
    assert event.new["session_sha256_prefix"] == sha256_hex(new.session_id)[:12]
    assert new.session_id not in repr(event)
