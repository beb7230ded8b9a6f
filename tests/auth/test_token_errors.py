"""Every refusal of a token names its key, kind and reason exactly (and the boundaries
hold): what support logs and the web layer's messages rely on."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from waffo_portal import FrozenClock, InvalidToken, TokenExpired
from waffo_portal.core.auth_models import LinkPurpose
from waffo_portal.testing.factories import EPOCH
from waffo_portal.tokens import MAX_TOKEN_LENGTH, TokenKind, Tokens, sha256_hex

KEY = "token-rules-secret-key-0123456789-abcdef"
LIFE = timedelta(minutes=15)
EMAIL = LinkPurpose.EMAIL_LOGIN


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(EPOCH)


@pytest.fixture
def tokens(clock: FrozenClock) -> Tokens:
    return Tokens((KEY,), clock)


def _refusal(error: pytest.ExceptionInfo[InvalidToken]) -> tuple[Any, ...]:
    return (type(error.value), error.value.key, error.value.context.get("kind"),
            error.value.context.get("reason"))


def _link_payload(tokens: Tokens, payload: dict[str, Any],
                  kind: TokenKind = TokenKind.LOGIN_LINK) -> str:
    return str(tokens._serializer(kind).dumps(payload))


@pytest.mark.parametrize("junk", ["", "x" * (MAX_TOKEN_LENGTH + 1), None, 7])
def test_a_malformed_link_token_is_refused_before_parsing(tokens: Tokens, junk: Any) -> None:
    with pytest.raises(InvalidToken) as refused:
        tokens.read_link(junk, EMAIL, LIFE)
    assert _refusal(refused) == (InvalidToken, "link.invalid", "login-link", "malformed")


def test_the_length_bound_is_inclusive(tokens: Tokens) -> None:
    at_limit = "x" * MAX_TOKEN_LENGTH  # parsed (and then refused for its signature)
    with pytest.raises(InvalidToken) as refused:
        tokens.read_link(at_limit, EMAIL, LIFE)
    assert refused.value.context["reason"] == "bad_signature"
    with pytest.raises(InvalidToken) as refused:
        tokens.check_csrf_token(at_limit, "binding")
    assert refused.value.context["reason"] == "bad_signature"


def test_an_expired_link_says_when_it_was_signed(tokens: Tokens, clock: FrozenClock) -> None:
    token = tokens.sign_link(EMAIL, "buyer_1", "L" * 24)
    clock.advance(LIFE + timedelta(seconds=2))
    with pytest.raises(TokenExpired) as expired:
        tokens.read_link(token, EMAIL, LIFE)
    assert _refusal(expired) == (TokenExpired, "link.expired", "login-link", "expired")  # type: ignore[arg-type]
    assert expired.value.context["signed_at"] == EPOCH


def test_a_forged_link_is_a_bad_signature(tokens: Tokens, clock: FrozenClock) -> None:
    forged = Tokens(("another-key-0123456789-0123456789-abcdef",), clock).sign_link(
        EMAIL, "buyer_1", "L" * 24)
    with pytest.raises(InvalidToken) as refused:
        tokens.read_link(forged, EMAIL, LIFE)
    assert _refusal(refused) == (InvalidToken, "link.invalid", "login-link", "bad_signature")


@pytest.mark.parametrize(("payload", "reason"), [
    ({"v": 2, "k": "login-link", "p": "email_login", "b": "b", "l": "l"}, "version"),
    (["not", "a", "dict"], "version"),
    ({"v": 1, "k": "merchant-link", "p": "email_login", "b": "b", "l": "l"}, "wrong_kind"),
    ({"v": 1, "k": "login-link", "p": "merchant_session", "b": "b", "l": "l"}, "payload"),
    ({"v": 1, "k": "login-link", "p": "email_login", "b": "", "l": "l"}, "payload"),
    ({"v": 1, "k": "login-link", "p": "email_login", "b": "b", "l": ""}, "payload"),
    ({"v": 1, "k": "login-link", "p": "email_login", "b": 5, "l": "l"}, "payload"),
    ({"v": 1, "k": "login-link", "p": "email_login", "b": "b", "l": 5}, "payload"),
    ({"v": 1, "k": "login-link", "p": "email_login", "l": "l"}, "payload"),
])
def test_each_payload_problem_has_its_reason(tokens: Tokens, payload: Any,
                                             reason: str) -> None:
    with pytest.raises(InvalidToken) as refused:
        tokens.read_link(_link_payload(tokens, payload), EMAIL, LIFE)
    assert _refusal(refused) == (InvalidToken, "link.invalid", "login-link", reason)


def test_the_email_purpose_value_is_checked(tokens: Tokens) -> None:
    good = {"v": 1, "k": "login-link", "p": EMAIL.value, "b": "b", "l": "l"}
    claims = tokens.read_link(_link_payload(tokens, good), EMAIL, LIFE)
    assert (claims.buyer_id, claims.link_id) == ("b", "l")


def test_read_any_link_reports_the_first_purposes_failure(tokens: Tokens) -> None:
    ages = {LinkPurpose.EMAIL_LOGIN: LIFE, LinkPurpose.MERCHANT_SESSION: LIFE}
    with pytest.raises(InvalidToken) as refused:
        tokens.read_any_link("garbage.token.value", ages)
    assert refused.value.context["kind"] == "login-link"
    merchant = tokens.sign_link(LinkPurpose.MERCHANT_SESSION, "buyer_1", "M" * 24)
    assert tokens.read_any_link(merchant, ages).purpose is LinkPurpose.MERCHANT_SESSION


def test_link_salts_separate_purposes_and_default_salts_never_verify(
        tokens: Tokens) -> None:
    payload = {"v": 1, "k": "login-link", "p": "email_login", "b": "b", "l": "l"}
    for salt in (None, "itsdangerous", "waffo-portal/merchant-link/v1"):
        other = URLSafeTimedSerializer([KEY], salt=salt,
                                       signer_kwargs={"digest_method": hashlib.sha256})
        with pytest.raises(InvalidToken) as refused:
            tokens.read_link(str(other.dumps(payload)), EMAIL, LIFE)
        assert refused.value.context["reason"] == "bad_signature"


def test_csrf_tokens_have_their_own_salt(tokens: Tokens, clock: FrozenClock) -> None:
    """A signature over the binding's digest made with the same key but another (or the
    default) salt is refused: CSRF tokens cannot be minted by any other signer."""
    digest = sha256_hex("session-hash")
    for salt in (None, "itsdangerous.Signer", "waffo-portal/login-link/v1"):
        kwargs: dict[str, Any] = {} if salt is None else {"salt": salt}
        signer = TimestampSigner([KEY], digest_method=hashlib.sha256, **kwargs)
        forged = signer.sign(digest)[len(digest) + 1:].decode()
        with pytest.raises(InvalidToken) as refused:
            tokens.check_csrf_token(forged, "session-hash")
        assert _refusal(refused) == (InvalidToken, "form.expired", "csrf", "bad_signature")
    tokens.check_csrf_token(tokens.make_csrf_token("session-hash"), "session-hash")


@pytest.mark.parametrize(("token", "binding", "reason"), [
    ("", "b", "malformed"), (None, "b", "malformed"), (5, "b", "malformed"),
    ("x" * (MAX_TOKEN_LENGTH + 1), "b", "malformed"), ("1.abc", "", "binding"),
    ("1.abc", "b", "bad_signature"),
])
def test_each_csrf_refusal_has_its_reason(tokens: Tokens, token: Any, binding: str,
                                          reason: str) -> None:
    with pytest.raises(InvalidToken) as refused:
        tokens.check_csrf_token(token, binding)
    assert _refusal(refused) == (InvalidToken, "form.expired", "csrf", reason)


def test_a_csrf_token_for_another_binding_or_expired(tokens: Tokens,
                                                      clock: FrozenClock) -> None:
    token = tokens.make_csrf_token("session-a")
    with pytest.raises(InvalidToken) as refused:
        tokens.check_csrf_token(token, "session-b")
    assert refused.value.context["reason"] == "bad_signature"
    clock.advance(timedelta(minutes=10))
    with pytest.raises(TokenExpired) as expired:
        tokens.check_csrf_token(token, "session-a", max_age=timedelta(minutes=5))
    assert _refusal(expired) == (TokenExpired, "form.expired", "csrf", "expired")  # type: ignore[arg-type]
    assert expired.value.context["signed_at"] == EPOCH
    tokens.check_csrf_token(token, "session-a", max_age=timedelta(minutes=11))


def test_a_csrf_token_is_the_bare_timestamp_and_signature(tokens: Tokens) -> None:
    token = tokens.make_csrf_token("session-a")
    stamp, signature = token.split(".")
    assert stamp and signature and sha256_hex("session-a") not in token
    with pytest.raises(ValueError, match=r"^a CSRF token needs a non-empty binding$"):
        tokens.make_csrf_token("")


def test_tokens_need_a_key(clock: FrozenClock) -> None:
    with pytest.raises(ValueError, match=r"^at least one secret key is required$"):
        Tokens((), clock)


def test_sha256_hex_is_of_the_utf8_bytes() -> None:
    assert sha256_hex("é") == hashlib.sha256("é".encode()).hexdigest()
    assert sha256_hex("é") != hashlib.sha256("é".encode("latin-1")).hexdigest()
