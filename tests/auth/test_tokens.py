"""Signed tokens: SHA-256, one salt per purpose, versioned payloads, expiry, rotation."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import BadSignature, URLSafeTimedSerializer

from waffo_portal import FrozenClock, InvalidToken, TokenExpired
from waffo_portal.core.auth_models import LinkPurpose
from waffo_portal.testing.factories import EPOCH
from waffo_portal.tokens import Tokens, sha256_hex

OLD_KEY = "old-secret-key-0123456789-0123456789-abcdef"
NEW_KEY = "new-secret-key-0123456789-0123456789-abcdef"
LIFE = timedelta(minutes=15)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(EPOCH)


def login_token(clock: FrozenClock, keys: tuple[str, ...] = (NEW_KEY,)) -> str:
    return Tokens(keys, clock).sign_link(LinkPurpose.EMAIL_LOGIN, "buyer_1", "L" * 24)


def test_link_roundtrip_carries_purpose_buyer_and_link_id(clock: FrozenClock) -> None:
    claims = Tokens((NEW_KEY,), clock).read_link(login_token(clock), LinkPurpose.EMAIL_LOGIN,
                                                 LIFE)
    assert (claims.purpose, claims.buyer_id, claims.link_id) == (
        LinkPurpose.EMAIL_LOGIN, "buyer_1", "L" * 24)


def test_signature_is_hmac_sha256_not_sha1(clock: FrozenClock) -> None:
    token = login_token(clock)
    signature = base64.urlsafe_b64decode(token.rsplit(".", 1)[1] + "==")
    assert len(signature) == hashlib.sha256().digest_size  # SHA-1 would be 20 bytes
    salt = "waffo-portal/login-link/v1"
    as_sha256 = URLSafeTimedSerializer(NEW_KEY, salt=salt,
                                       signer_kwargs={"digest_method": hashlib.sha256})
    assert as_sha256.loads(token)["b"] == "buyer_1"
    with pytest.raises(BadSignature):
        URLSafeTimedSerializer(NEW_KEY, salt=salt).loads(token)  # the SHA-1 default


@pytest.mark.parametrize("position", [5, 40, -3])
def test_tampered_token_is_refused(clock: FrozenClock, position: int) -> None:
    token = login_token(clock)
    index = position % len(token)
    flipped = "A" if token[index] != "A" else "B"
    tampered = token[:index] + flipped + token[index + 1:]
    assert tampered != token
    with pytest.raises(InvalidToken) as info:
        Tokens((NEW_KEY,), clock).read_link(tampered, LinkPurpose.EMAIL_LOGIN, LIFE)
    assert not isinstance(info.value, TokenExpired)
    assert token not in repr(info.value.context) and info.value.__cause__ is None


@pytest.mark.parametrize("junk", ["", "abc", "a.b.c", "x" * 5000, "é.é.é"])
def test_malformed_tokens_are_invalid(clock: FrozenClock, junk: str) -> None:
    with pytest.raises(InvalidToken):
        Tokens((NEW_KEY,), clock).read_link(junk, LinkPurpose.EMAIL_LOGIN, LIFE)


def test_a_token_never_verifies_for_another_purpose(clock: FrozenClock) -> None:
    tokens = Tokens((NEW_KEY,), clock)
    email_link = login_token(clock)
    merchant_link = tokens.sign_link(LinkPurpose.MERCHANT_SESSION, "buyer_1", "M" * 24)
    csrf = tokens.make_csrf_token("nonce")
    with pytest.raises(InvalidToken):
        tokens.read_link(email_link, LinkPurpose.MERCHANT_SESSION, LIFE)
    with pytest.raises(InvalidToken):
        tokens.read_link(merchant_link, LinkPurpose.EMAIL_LOGIN, LIFE)
    for link in (email_link, merchant_link):
        with pytest.raises(InvalidToken):
            tokens.check_csrf_token(link, "nonce")
    with pytest.raises(InvalidToken):
        tokens.read_any_link(csrf, {LinkPurpose.EMAIL_LOGIN: LIFE,
                                    LinkPurpose.MERCHANT_SESSION: LIFE})


def test_unknown_payload_version_is_refused() -> None:
    # Same key, salt and digest as the real thing, but a future payload version. The
    # forger's itsdangerous stamps wall-clock time, so verify against a wall clock too.
    clock = FrozenClock(datetime.now(UTC))
    forged = URLSafeTimedSerializer(
        NEW_KEY, salt="waffo-portal/login-link/v1",
        signer_kwargs={"digest_method": hashlib.sha256},
    ).dumps({"v": 2, "k": "login-link", "p": "email_login", "b": "buyer_1", "l": "L" * 24})
    with pytest.raises(InvalidToken) as info:
        Tokens((NEW_KEY,), clock).read_link(forged, LinkPurpose.EMAIL_LOGIN, LIFE)
    assert info.value.context["reason"] == "version"


def test_max_age_follows_the_injected_clock(clock: FrozenClock) -> None:
    token = login_token(clock)
    tokens = Tokens((NEW_KEY,), clock)
    clock.advance(LIFE)
    assert tokens.read_link(token, LinkPurpose.EMAIL_LOGIN, LIFE).buyer_id == "buyer_1"
    clock.advance(timedelta(seconds=1))
    with pytest.raises(TokenExpired):
        tokens.read_link(token, LinkPurpose.EMAIL_LOGIN, LIFE)


def test_old_key_works_while_listed_and_fails_once_removed(clock: FrozenClock) -> None:
    signed_with_old = login_token(clock, (OLD_KEY,))
    rotated = Tokens((OLD_KEY, NEW_KEY), clock)
    assert rotated.read_link(signed_with_old, LinkPurpose.EMAIL_LOGIN, LIFE).link_id == "L" * 24
    with pytest.raises(InvalidToken):
        Tokens((NEW_KEY,), clock).read_link(signed_with_old, LinkPurpose.EMAIL_LOGIN, LIFE)
    # new tokens are signed with the newest key: they survive dropping the old one
    fresh = rotated.sign_link(LinkPurpose.EMAIL_LOGIN, "buyer_1", "N" * 24)
    assert Tokens((NEW_KEY,), clock).read_link(fresh, LinkPurpose.EMAIL_LOGIN, LIFE)
    with pytest.raises(InvalidToken):
        Tokens((OLD_KEY,), clock).read_link(fresh, LinkPurpose.EMAIL_LOGIN, LIFE)


def test_csrf_token_is_bound_and_expires(clock: FrozenClock) -> None:
    tokens = Tokens((NEW_KEY,), clock)
    token = tokens.make_csrf_token("session-hash-1")
    tokens.check_csrf_token(token, "session-hash-1")
    for wrong in ("session-hash-2", ""):
        with pytest.raises(InvalidToken):
            tokens.check_csrf_token(token, wrong)
    assert "session-hash-1" not in token
    clock.advance(timedelta(hours=1, seconds=1))
    with pytest.raises(TokenExpired):
        tokens.check_csrf_token(token, "session-hash-1", max_age=timedelta(hours=1))


def test_csrf_token_is_a_bare_signature_that_rotates_with_the_keys(clock: FrozenClock) -> None:
    binding = "session:" + "a" * 64
    token = Tokens((OLD_KEY,), clock).make_csrf_token(binding)
    assert token.count(".") == 1 and sha256_hex(binding) not in token
    assert len(base64.urlsafe_b64decode(token.split(".")[1] + "==")) == 32  # HMAC-SHA256
    Tokens((OLD_KEY, NEW_KEY), clock).check_csrf_token(token, binding)
    with pytest.raises(InvalidToken):
        Tokens((NEW_KEY,), clock).check_csrf_token(token, binding)
    stamp, signature = token.split(".")
    for forged in (f"{stamp}x.{signature}", f"{stamp}.{signature[:-2]}", f".{signature}",
                   f"{token}.{token}", "x" * 5000, "é.é"):
        with pytest.raises(InvalidToken):
            Tokens((OLD_KEY,), clock).check_csrf_token(forged, binding)


def test_a_csrf_token_of_the_old_payload_format_is_refused(clock: FrozenClock) -> None:
    """CSRF tokens used to be serialized payloads; a form left open across the upgrade is
    refused (the buyer submits it again), never accepted unchecked."""
    old = URLSafeTimedSerializer(
        NEW_KEY, salt="waffo-portal/csrf/v1", signer_kwargs={"digest_method": hashlib.sha256},
    ).dumps({"v": 1, "k": "csrf", "b": sha256_hex("nonce")})
    with pytest.raises(InvalidToken):
        Tokens((NEW_KEY,), FrozenClock(datetime.now(UTC))).check_csrf_token(old, "nonce")
