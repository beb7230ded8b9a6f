"""Confirming links and living with sessions: single use, races, expiry, logout, audit."""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from datetime import timedelta

import pytest

from waffo_portal import (
    AuthenticationRequired,
    InvalidToken,
    TokenExpired,
    TokenUsed,
)
from waffo_portal.core.auth_models import LinkPurpose
from waffo_portal.testing import PortalKit
from waffo_portal.tokens import Tokens
from waffo_portal.use_cases.outbox import MAX_ATTEMPTS

from .helpers import email_token, link_in, login, token_of


def test_confirm_opens_a_session_stored_only_as_a_hash(kit: PortalKit) -> None:
    new = kit.portal.confirm_login(email_token(kit))
    assert len(new.session_id) >= 43  # 32 random bytes
    assert new.expires_at == kit.clock.now() + timedelta(minutes=30)
    assert kit.store.get_session(new.session_id) is None
    stored = kit.store.get_session(hashlib.sha256(new.session_id.encode()).hexdigest())
    assert stored is not None and stored.buyer_id == kit.buyer.id
    assert kit.portal.authenticate(new.session_id) == stored
    assert new.session_id not in repr(new)


@pytest.mark.parametrize("kind", ["email", "merchant"])
def test_link_records_are_stored_only_as_a_hash(kit: PortalKit, kind: str) -> None:
    token = (email_token(kit) if kind == "email"
             else token_of(kit.portal.create_login_link(kit.buyer.id)))
    raw_id = Tokens(kit.portal.config.secret_keys, kit.clock).read_any_link(token, {
        LinkPurpose.EMAIL_LOGIN: timedelta(minutes=15),
        LinkPurpose.MERCHANT_SESSION: timedelta(minutes=15)}).link_id
    assert kit.store.get_login_link(raw_id) is None  # a table dump holds no usable id
    hashed = hashlib.sha256(raw_id.encode()).hexdigest()
    stored = kit.store.get_login_link(hashed)
    assert stored is not None and stored.buyer_id == kit.buyer.id
    assert kit.portal.confirm_login(token).buyer_id == kit.buyer.id
    used = kit.store.get_login_link(hashed)
    assert used is not None and used.used_at is not None


def test_expired_link_is_refused_and_opens_no_session(kit: PortalKit) -> None:
    token = email_token(kit)
    kit.clock.advance(kit.portal.config.link_lifetime + timedelta(seconds=1))
    with pytest.raises(TokenExpired):
        kit.portal.peek_login_link(token)
    with pytest.raises(TokenExpired):
        kit.portal.confirm_login(token)
    assert not [e for e in kit.store.list_audit_events() if e.action == "login.succeeded"]


def test_link_still_works_just_before_expiry(kit: PortalKit) -> None:
    token = email_token(kit)
    kit.clock.advance(kit.portal.config.link_lifetime - timedelta(seconds=1))
    assert kit.portal.confirm_login(token).buyer_id == kit.buyer.id


def test_link_works_once(kit: PortalKit) -> None:
    token = email_token(kit)
    kit.portal.confirm_login(token)
    with pytest.raises(TokenUsed):
        kit.portal.confirm_login(token)


def test_concurrent_confirmations_open_exactly_one_session(kit: PortalKit) -> None:
    token = email_token(kit)
    workers = 8
    barrier = threading.Barrier(workers)
    outcomes: list[object] = []
    lock = threading.Lock()

    def confirm() -> None:
        barrier.wait()
        try:
            result: object = kit.portal.confirm_login(token)
        except InvalidToken as exc:
            result = exc
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=confirm) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [o for o in outcomes if not isinstance(o, InvalidToken)]
    assert len(winners) == 1
    assert all(isinstance(o, TokenUsed) for o in outcomes if o not in winners)
    sessions = kit.store._t["sessions"]  # type: ignore[attr-defined]
    assert len(sessions) == 1
    logins = [e for e in kit.store.list_audit_events() if e.action == "login.succeeded"]
    assert len(logins) == 1


def test_every_login_gets_a_new_session_id_and_drops_the_old_one(kit: PortalKit) -> None:
    first = login(kit)
    second = kit.portal.confirm_login(email_token(kit), previous_session_id=first).session_id
    assert first != second
    with pytest.raises(AuthenticationRequired) as info:
        kit.portal.authenticate(first)
    assert not info.value.expired
    assert kit.portal.authenticate(second).buyer_id == kit.buyer.id


def test_session_lifetime_is_absolute(kit: PortalKit) -> None:
    session_id = login(kit)
    kit.clock.advance(timedelta(minutes=29, seconds=59))
    assert kit.portal.authenticate(session_id).buyer_id == kit.buyer.id
    kit.clock.advance(timedelta(seconds=2))  # 30:01
    for _ in range(2):  # asked again: still "expired", audited once
        with pytest.raises(AuthenticationRequired) as info:
            kit.portal.authenticate(session_id)
        assert info.value.expired
    expired = [e for e in kit.store.list_audit_events() if e.action == "session.expired"]
    assert len(expired) == 1


def test_logout_revokes_server_side(kit: PortalKit) -> None:
    session_id = login(kit)
    kit.portal.logout(session_id)
    with pytest.raises(AuthenticationRequired) as info:
        kit.portal.authenticate(session_id)  # the replayed cookie
    assert not info.value.expired
    kit.portal.logout(session_id)  # idempotent
    kit.portal.logout("never-issued")
    assert [e.action for e in kit.store.list_audit_events()].count("logout") == 1


@pytest.mark.parametrize("value", [None, "", "forged", "x" * 4096])
def test_unknown_session_ids_need_login(kit: PortalKit, value: str | None) -> None:
    with pytest.raises(AuthenticationRequired):
        kit.portal.authenticate(value)


def test_link_token_is_not_a_session(kit: PortalKit) -> None:
    token = email_token(kit)
    with pytest.raises(AuthenticationRequired):
        kit.portal.authenticate(token)
    csrf = kit.portal.make_csrf_token("pre-session-nonce")
    with pytest.raises(InvalidToken):
        kit.portal.confirm_login(csrf)
    with pytest.raises(InvalidToken):
        kit.portal.check_csrf_token(token, "pre-session-nonce")
    kit.portal.check_csrf_token(csrf, "pre-session-nonce")


def test_no_secret_reaches_audit_or_logs(kit: PortalKit, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    kit.portal.request_login_link("Ada@Example.com", client_ip="203.0.113.7")
    url = link_in(kit.mailer.outbox[-1])
    token = token_of(url)
    new = kit.portal.confirm_login(token)
    kit.portal.request_login_link("nobody@example.com", client_ip="203.0.113.7")
    for _ in range(kit.portal.config.login_rate_per_email):  # reach the rate-limit log line
        kit.portal.request_login_link("ada@example.com", client_ip="203.0.113.7")
    kit.mailer.fail_with = "down"
    kit.portal.request_login_link("bob@example.com", client_ip="203.0.113.7")  # not raised
    for _ in range(MAX_ATTEMPTS):  # retried until given up: logged and audited
        kit.clock.advance(timedelta(hours=1))
        kit.portal.deliver_mail()
    kit.mailer.fail_with = None
    kit.portal.logout(new.session_id)
    merchant_url = kit.portal.create_login_link(kit.buyer.id, return_url="/billing/")
    other = kit.portal.confirm_login(token_of(merchant_url))
    kit.clock.advance(timedelta(minutes=31))
    with pytest.raises(AuthenticationRequired):
        kit.portal.authenticate(other.session_id)

    events = kit.store.list_audit_events(limit=1000)
    actions = {e.action for e in events}
    assert {"login.link_requested", "mail.failed", "login.succeeded", "logout",
            "session.expired", "login.link_created"} <= actions
    dumped = repr(events) + caplog.text
    secrets = [token, url, merchant_url, token_of(merchant_url), new.session_id,
               other.session_id, "ada@example.com", "bob@example.com", "nobody@example.com",
               *kit.portal.config.secret_keys]
    for secret in secrets:
        assert secret.lower() not in dumped.lower()
    # Typed addresses are recorded as a keyed HMAC, never as a plain (reversible) hash.
    plain = hashlib.sha256(b"ada@example.com").hexdigest()
    assert plain not in dumped
    keyed = hmac.new(kit.portal.config.audit_key, b"ada@example.com", "sha256").hexdigest()
    requested = [e for e in events if e.action == "login.link_requested"]
    assert any(e.new.get("email_hmac") == keyed for e in requested)
    logged = [r.getMessage() for r in caplog.records]
    # the log lines we expect exist; they just hold no secret
    assert any("rate limit" in line for line in logged)
    assert any("not sent" in line for line in logged)
    assert any("logged in" in line for line in logged)
