"""Signed tokens: login links, merchant links, email portal links and CSRF tokens.

Links are itsdangerous ``URLSafeTimedSerializer`` payloads, CSRF tokens bare
``TimestampSigner`` signatures (see ``make_csrf_token``); three deliberate choices:

* HMAC-SHA256 instead of itsdangerous' SHA-1 default;
* one salt per purpose, so a token minted for one purpose never verifies as another;
* time comes from the injected clock (not ``time.time()``), so expiry follows the same
  clock as every other rule and tests can move it.

Secret keys rotate through a list, oldest to newest: tokens are signed with the newest key
and verified against every listed key, so dropping a key voids what it signed.

A token only proves *who minted it and when*; whether a link is still usable (unused,
unrevoked) is the store's job. Errors never carry the token itself.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import attrs
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from .core.auth_models import LinkPurpose
from .core.exceptions import InvalidToken, TokenExpired
from .ports import Clock

TOKEN_VERSION = 1
MAX_TOKEN_LENGTH = 1024  # ours are ~150 characters; refuse junk before parsing it
CSRF_LIFETIME = timedelta(hours=12)  # a form left open; the session bounds it anyway


class TokenKind(enum.StrEnum):
    LOGIN_LINK = "login-link"
    MERCHANT_LINK = "merchant-link"
    PORTAL_LINK = "portal-link"  # for emails: fills in the login form, opens nothing
    CSRF = "csrf"


_LINK_KINDS: dict[LinkPurpose, TokenKind] = {
    LinkPurpose.EMAIL_LOGIN: TokenKind.LOGIN_LINK,
    LinkPurpose.MERCHANT_SESSION: TokenKind.MERCHANT_LINK,
}
_SALTS: dict[TokenKind, str] = {kind: f"waffo-portal/{kind.value}/v1"
                                for kind in (*_LINK_KINDS.values(), TokenKind.PORTAL_LINK)}
_CSRF_SALT = "waffo-portal/csrf/v2"  # v1 tokens were serialized payloads: they never verify


@attrs.frozen
class LinkClaims:
    """What a verified link token says; the link record still has to agree."""

    purpose: LinkPurpose
    buyer_id: str
    link_id: str


@attrs.frozen
class PortalLinkClaims:
    """What a verified email portal link says: whose form to fill in, and where to go."""

    buyer_id: str
    next_path: str


def keyed_hex(key: bytes, value: str) -> str:
    """HMAC-SHA256 of ``value``: a digest nobody without the key can match to a guess."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _clocked_signer(clock: Clock) -> type[TimestampSigner]:
    """A TimestampSigner whose notion of "now" is the portal's clock."""

    class ClockedSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock.now().timestamp())

    return ClockedSigner


class Tokens:
    """Mints and verifies the portal's signed tokens. Immutable once built, so one instance
    serves every thread (the portal builds one; every logged-in page mints a CSRF token)."""

    def __init__(self, secret_keys: Sequence[str], clock: Clock) -> None:
        if not secret_keys:
            raise ValueError("at least one secret key is required")
        keys = list(secret_keys)  # oldest -> newest, as itsdangerous expects
        signer = _clocked_signer(clock)
        self._serializers = {kind: URLSafeTimedSerializer(
            keys, salt=_SALTS[kind], signer=signer,
            signer_kwargs={"digest_method": hashlib.sha256},
        ) for kind in _SALTS}
        self._csrf_signer = signer(keys, salt=_CSRF_SALT, digest_method=hashlib.sha256)

    def _serializer(self, kind: TokenKind) -> URLSafeTimedSerializer:
        return self._serializers[kind]

    def _dump(self, kind: TokenKind, payload: dict[str, Any]) -> str:
        token = self._serializer(kind).dumps({"v": TOKEN_VERSION, "k": kind.value, **payload})
        return str(token)

    def _load(self, kind: TokenKind, token: str, max_age: timedelta) -> dict[str, Any]:
        """Verify signature, age, version and kind; the payload fields are the caller's."""
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken(key="link.invalid", kind=kind.value, reason="malformed")
        try:
            data = self._serializer(kind).loads(token, max_age=int(max_age.total_seconds()))
        except SignatureExpired as exc:
            raise TokenExpired(key="link.expired", kind=kind.value, reason="expired",
                               signed_at=exc.date_signed) from None
        except BadData:
            # `from None`: itsdangerous' exceptions carry the payload; keep it out of tracebacks
            raise InvalidToken(key="link.invalid", kind=kind.value,
                               reason="bad_signature") from None
        if not isinstance(data, dict) or data.get("v") != TOKEN_VERSION:
            raise InvalidToken(key="link.invalid", kind=kind.value, reason="version")
        if data.get("k") != kind.value:
            raise InvalidToken(key="link.invalid", kind=kind.value, reason="wrong_kind")
        return data

    # Login links
    def sign_link(self, purpose: LinkPurpose, buyer_id: str, link_id: str) -> str:
        return self._dump(_LINK_KINDS[purpose], {"p": purpose.value, "b": buyer_id,
                                                 "l": link_id})

    def read_link(self, token: str, purpose: LinkPurpose, max_age: timedelta) -> LinkClaims:
        """The claims of a link token minted for ``purpose``; InvalidToken/TokenExpired else."""
        kind = _LINK_KINDS[purpose]
        data = self._load(kind, token, max_age)
        buyer_id, link_id = data.get("b"), data.get("l")
        if (data.get("p") != purpose.value or not isinstance(buyer_id, str)
                or not isinstance(link_id, str) or not buyer_id or not link_id):
            raise InvalidToken(key="link.invalid", kind=kind.value, reason="payload")
        return LinkClaims(purpose, buyer_id, link_id)

    def read_any_link(self, token: str,
                      max_ages: dict[LinkPurpose, timedelta]) -> LinkClaims:
        """Try each link purpose in turn: both kinds of link land on the same confirm page.

        An expiry is only reported once a signature verified, so an expired token of one
        purpose is never mistaken for a bad token of the other.
        """
        failure: InvalidToken | None = None
        for purpose, max_age in max_ages.items():
            try:
                return self.read_link(token, purpose, max_age)
            except TokenExpired:
                raise
            except InvalidToken as exc:
                failure = failure or exc
        assert failure is not None  # max_ages is never empty
        raise failure

    # Portal links for emails
    def sign_portal_link(self, buyer_id: str, next_path: str) -> str:
        return self._dump(TokenKind.PORTAL_LINK, {"b": buyer_id, "n": next_path})

    def read_portal_link(self, token: str, max_age: timedelta) -> PortalLinkClaims:
        """The claims of an email portal link; InvalidToken/TokenExpired else."""
        data = self._load(TokenKind.PORTAL_LINK, token, max_age)
        buyer_id, next_path = data.get("b"), data.get("n")
        if not isinstance(buyer_id, str) or not buyer_id or not isinstance(next_path, str):
            raise InvalidToken(key="link.invalid", kind=TokenKind.PORTAL_LINK.value,
                               reason="payload")
        return PortalLinkClaims(buyer_id, next_path)

    # CSRF
    def make_csrf_token(self, binding: str) -> str:
        """A CSRF token bound to a session (pass its id hash) or a pre-session nonce.

        ``<timestamp>.<signature>``: the signature covers the binding's digest, which the
        token leaves out because the checker knows the binding. Every page carries one,
        so it is a bare signature, not a serialized payload (a quarter of the cost).
        """
        if not binding:
            raise ValueError("a CSRF token needs a non-empty binding")
        value = sha256_hex(binding)
        signed: bytes = self._csrf_signer.sign(value)
        return signed[len(value) + 1:].decode("ascii")

    def check_csrf_token(self, token: str, binding: str,
                         max_age: timedelta = CSRF_LIFETIME) -> None:
        """Raise InvalidToken (or TokenExpired) unless ``token`` was made for ``binding``."""
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken(key="form.expired", kind="csrf",
                               reason="malformed")
        if not binding:
            raise InvalidToken(key="form.expired", kind="csrf",
                               reason="binding")
        try:
            self._csrf_signer.unsign(f"{sha256_hex(binding)}.{token}",
                                     max_age=int(max_age.total_seconds()))
        except SignatureExpired as exc:
            raise TokenExpired(key="form.expired", kind="csrf",
                               reason="expired", signed_at=exc.date_signed) from None
        except BadData:  # forged, or made for another binding: a signature can't tell
            raise InvalidToken(key="form.expired", kind="csrf",
                               reason="bad_signature") from None
