"""Passwordless login: request a link, confirm it, hold a session, log out.

Framework-neutral: the web layer turns requests into these calls. Secrets never reach the
store, the audit trail or the logs in the clear: links are stored under the SHA-256 of a
random id that travels only inside the signed token, sessions under the SHA-256 of the
cookie value, and emails appear in audit records as their SHA-256.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from urllib.parse import quote

import attrs

from ..core.auth_models import BuyerSession, LinkPurpose, LoginLink
from ..core.client_ip import rate_limit_key
from ..core.email import EmailMessage
from ..core.exceptions import (
    AuthenticationRequired,
    InvalidToken,
    NotFound,
    TokenExpired,
    TokenUsed,
    ValidationError,
)
from ..core.models import (
    Buyer,
    normalize_email,
)
from ..core.redirects import check_return_url, default_page, safe_return_path
from ..i18n import choose_locale
from ..mail.login_email import login_email
from ..tokens import LinkClaims, keyed_hex, sha256_hex
from . import outbox
from .context import Deps

log = logging.getLogger("waffo_portal.auth")

CONFIRM_PATH = "/login/confirm"
MAX_EMAIL_LENGTH = 254
MAX_SESSION_ID_LENGTH = 128

__all__ = ["LoginPreview", "NewSession", "authenticate", "confirm_login", "create_login_link",
           "logout", "mask_email", "new_session", "peek_login_link", "request_login_link",
           "safe_return_path", "save_replacing"]


@attrs.frozen
class LoginPreview:
    """What the confirm page may show before the buyer presses the button."""

    masked_email: str
    purpose: LinkPurpose
    expires_at: datetime


@attrs.frozen
class NewSession:
    """A fresh session: ``session_id`` goes into the cookie and nowhere else."""

    session_id: str = attrs.field(repr=False)
    buyer_id: str
    return_to: str
    expires_at: datetime



def mask_email(email: str) -> str:
    """``jane@example.com`` -> ``j•••@example.com``: enough to recognise, not to harvest."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}•••@{domain}" if local else "•••"


def _check_email(email: str) -> str:
    normalized = normalize_email(email)
    local, at, domain = normalized.rpartition("@")
    if (not at or not local or "." not in domain or len(normalized) > MAX_EMAIL_LENGTH
            or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in normalized)):
        raise ValidationError({"email": "login.email_invalid"})
    return normalized


# The flood cap of one address across networks, in multiples of the per-network budget,
# and the pace of the links that still go out past it.
EMAIL_FLOOD_FACTOR = 4
TRICKLE = timedelta(minutes=1)


def email_digest(deps: Deps, normalized_email: str) -> str:
    """How the audit trail and rate limits name a typed address: a keyed HMAC, so the
    stored value cannot be matched against a list of addresses without the key."""
    return keyed_hex(deps.config.audit_key, normalized_email)


def _over_limit(deps: Deps, email_hmac: str, client_ip: str) -> bool:
    """Whether to send nothing. Built so that nobody else can starve the owner:

    1. The client's network first: a request over its limit counts against nothing else
       (and adds no row for the address).
    2. The address's budget is per network, so requests from elsewhere cannot use up
       the owner's own.
    3. Across all networks the address has a flood cap (its inbox is protected); past it,
       one link a minute still goes out. Each link voids the older ones, so the newest
       email in the owner's inbox always works, whoever asked for it.
    """
    config, now, store = deps.config, deps.clock.now(), deps.store
    window, network = config.login_rate_window, rate_limit_key(client_ip)
    per_ip, per_email = config.login_rate_per_ip, config.login_rate_per_email
    if store.count_attempt(f"login:ip:{network}", window, now, per_ip) > per_ip:
        return True
    if store.count_attempt(f"login:email:{email_hmac}:{network}", window, now,
                           per_email) > per_email:
        return True
    cap = per_email * EMAIL_FLOOD_FACTOR
    if store.count_attempt(f"login:email:{email_hmac}", window, now, cap) <= cap:
        return False
    return store.count_attempt(f"login:email:{email_hmac}:trickle", TRICKLE, now, 1) > 1


def request_login_link(deps: Deps, email: str, client_ip: str, locale: str | None = None,
                       return_to: str | None = None) -> None:
    """Email a login link if ``email`` belongs to a buyer; otherwise do nothing, visibly alike.

    Over a rate limit, nothing is sent and nothing is raised: the caller shows the same
    generic answer in every case. Raises ValidationError for a malformed address. The
    email is not sent here: the link and the message are written to the outbox in one
    transaction, and a sender delivers it after the commit (use_cases/outbox.py), so the
    mail server's speed or failure tells nothing about the address.
    """
    normalized = _check_email(email)
    email_hash = email_digest(deps, normalized)
    if _over_limit(deps, email_hash, client_ip):
        log.warning("login link rate limit hit (email hmac %s...)", email_hash[:12])
        return
    buyer = deps.store.find_buyer_by_email(normalized)
    if buyer is None:
        _comparable_work(deps, normalized, locale, email_hash)
        return
    target = safe_return_path(deps.config, return_to)
    link, token = _new_link(deps, buyer, LinkPurpose.EMAIL_LOGIN, target,
                            deps.config.link_lifetime)
    # The buyer's saved language, else the one the request asked in, else the default.
    lang = choose_locale(None, buyer.locale, locale, deps.config.default_locale)
    message = _login_message(deps, buyer.email, lang, token)
    with deps.store.atomic():
        _save_link(deps, link)
        outbox.enqueue(deps, message)
        deps.audit(actor=f"buyer:{buyer.id}", action="login.link_requested",
                   subject=f"buyer:{buyer.id}", new={"email_hmac": email_hash,
                                                     "known": "true",
                                                     "link_id_sha256": link.id,
                                                     "locale": lang})


def send_login_link(deps: Deps, buyer_id: str, actor: str) -> None:
    """Email a login link to a known buyer on the merchant's behalf (support staff, an
    admin action). No rate limit: the merchant is not an anonymous visitor, and counting
    against its office address would block its own buyers' sign-ins. Audited with
    ``actor``. Raises NotFound for an unknown buyer, ValidationError (``email``) for a
    stored address that cannot be mailed."""
    buyer = deps.store.get_buyer(buyer_id)
    if buyer is None:
        raise NotFound("buyer", buyer_id)
    _check_email(buyer.email)
    link, token = _new_link(deps, buyer, LinkPurpose.EMAIL_LOGIN, "", deps.config.link_lifetime)
    lang = choose_locale(None, buyer.locale, None, deps.config.default_locale)
    with deps.store.atomic():
        _save_link(deps, link)
        outbox.enqueue(deps, _login_message(deps, buyer.email, lang, token))
        deps.audit(actor=actor, action="login.link_sent", subject=f"buyer:{buyer.id}",
                   new={"link_id_sha256": link.id, "locale": lang})


def _login_message(deps: Deps, to: str, lang: str, token: str) -> EmailMessage:
    minutes = max(1, int(deps.config.link_lifetime.total_seconds()) // 60)
    return login_email(to, lang, confirm_url(deps, token), minutes, deps.config.branding,
                       portal_url=deps.config.base_url)


def _comparable_work(deps: Deps, normalized: str, locale: str | None, email_hash: str) -> None:
    """An unknown address costs what a known one does, so timing tells nothing: a link
    is signed and an email rendered (both thrown away), and one transaction writes."""
    ghost = Buyer(f"~unknown:{email_hash[:16]}", normalized)
    _link, token = _new_link(deps, ghost, LinkPurpose.EMAIL_LOGIN, "",
                             deps.config.link_lifetime)
    lang = choose_locale(None, None, locale, deps.config.default_locale)
    _login_message(deps, normalized, lang, token)
    with deps.store.atomic():
        deps.store.revoke_login_links(ghost.id, deps.clock.now())  # matches no row
        # one short-lived row where a buyer gets two (link, outbox): pruned with the
        # attempts once the window passes, so unknown addresses add nothing lasting
        deps.store.count_attempt(f"login:unknown:{secrets.token_hex(8)}",
                                 deps.config.link_lifetime, deps.clock.now(), 1)
        deps.audit(actor="anonymous", action="login.link_requested",
                   subject=f"email:{email_hash}", new={"email_hmac": email_hash,
                                                       "known": "false"})


def confirm_url(deps: Deps, token: str) -> str:
    """The link put in emails: the host always comes from configuration, never a request."""
    return f"{deps.config.base_url.rstrip('/')}{CONFIRM_PATH}?token={quote(token, safe='')}"


def _new_link(deps: Deps, buyer: Buyer, purpose: LinkPurpose, return_to: str,
              lifetime: timedelta) -> tuple[LoginLink, str]:
    now = deps.clock.now()
    # The store keeps only the SHA-256 of the random id: a read of the links table (or a
    # database error quoting its parameters) yields nothing a token could be built on.
    raw_id = secrets.token_urlsafe(24)
    link = LoginLink(id=sha256_hex(raw_id), buyer_id=buyer.id, purpose=purpose,
                     created_at=now, expires_at=now + lifetime, return_to=return_to)
    return link, deps.tokens.sign_link(purpose, buyer.id, raw_id)


def _save_link(deps: Deps, link: LoginLink) -> None:
    with deps.store.atomic():
        if link.purpose is LinkPurpose.EMAIL_LOGIN:
            # a newer emailed link replaces older ones (merchant links live on their own)
            deps.store.revoke_login_links(link.buyer_id, link.created_at)
        deps.store.save_login_link(link)


def create_login_link(deps: Deps, buyer_id: str, return_url: str = "") -> str:
    """A single-use login URL for the merchant's "Manage subscription" button.

    Call it server-side, for a buyer your app has already authenticated, and redirect to
    the result. ``return_url`` is where the buyer lands after logging in: a path on this
    site or an https URL on ``allowed_return_hosts``; anything else is a ValidationError.
    Empty means the portal's overview.
    """
    target = (check_return_url(deps.config, return_url, within_portal=False) if return_url
              else default_page(deps.config))
    buyer = deps.store.get_buyer(buyer_id)
    if buyer is None:
        raise NotFound("buyer", buyer_id)
    link, token = _new_link(deps, buyer, LinkPurpose.MERCHANT_SESSION, target,
                            deps.config.merchant_link_lifetime)
    _save_link(deps, link)
    deps.audit(actor="merchant", action="login.link_created", subject=f"buyer:{buyer.id}",
               new={"link_id_sha256": link.id, "return_to": target})
    return confirm_url(deps, token)


def _verify(deps: Deps, token: str) -> tuple[LinkClaims, LoginLink]:
    """Signature, age, and the stored link's state; raises the matching InvalidToken."""
    config = deps.config
    claims = deps.tokens.read_any_link(token, {
        LinkPurpose.EMAIL_LOGIN: config.link_lifetime,
        LinkPurpose.MERCHANT_SESSION: config.merchant_link_lifetime,
    })
    link = deps.store.get_login_link(sha256_hex(claims.link_id))
    if link is None or link.buyer_id != claims.buyer_id or link.purpose != claims.purpose:
        raise InvalidToken(key="link.invalid", reason="unknown_link")
    _raise_unless_usable(link, deps.clock.now())
    return claims, link


def _raise_unless_usable(link: LoginLink, now: datetime) -> None:
    if link.used_at is not None:
        raise TokenUsed(key="link.used", reason="used")
    if link.revoked_at is not None:
        raise InvalidToken(key="link.revoked", reason="revoked")
    if now >= link.expires_at:
        raise TokenExpired(key="link.expired", reason="expired")


def peek_login_link(deps: Deps, token: str) -> LoginPreview:
    """For the GET confirm page: check the link and consume nothing.

    Mail scanners fetch links (HEAD, then GET) before the buyer does; only the POST that
    follows the buyer's click may use the link up.
    """
    _claims, link = _verify(deps, token)
    buyer = deps.store.get_buyer(link.buyer_id)
    if buyer is None:
        raise InvalidToken(key="link.invalid", reason="unknown_buyer")
    return LoginPreview(mask_email(buyer.email), link.purpose, link.expires_at)


def confirm_login(deps: Deps, token: str, previous_session_id: str | None = None) -> NewSession:
    """Use the link up and open a new session; the link works exactly once.

    ``previous_session_id`` (a cookie from before the login, if any) is revoked, so a
    session id planted before login is never promoted (no fixation).
    """
    _claims, link = _verify(deps, token)
    if deps.store.get_buyer(link.buyer_id) is None:
        raise InvalidToken(key="link.invalid", reason="unknown_buyer")
    now = deps.clock.now()
    session_id, session = new_session(deps, link.buyer_id, now)
    with deps.store.atomic():
        used = deps.store.consume_login_link(link.id, now)
        if used is None:  # another request won the race, or it changed since _verify
            current = deps.store.get_login_link(link.id)
            _raise_unless_usable(current or link, now)
            raise TokenUsed(key="link.used", reason="used")
        save_replacing(deps, session, previous_session_id, now)
        deps.audit(actor=f"buyer:{link.buyer_id}", action="login.succeeded",
                   subject=f"buyer:{link.buyer_id}",
                   new={"purpose": link.purpose.value, "link_id_sha256": link.id,
                        "session_sha256_prefix": session.id_hash[:12]})
    log.info("buyer %s logged in (%s)", link.buyer_id, link.purpose.value)
    return NewSession(session_id, link.buyer_id, used.return_to or safe_return_path(
        deps.config, None), session.expires_at)


def new_session(deps: Deps, buyer_id: str, now: datetime) -> tuple[str, BuyerSession]:
    """A fresh random session id (for the cookie only) and its record (stored hashed)."""
    session_id = secrets.token_urlsafe(32)
    return session_id, BuyerSession(id_hash=sha256_hex(session_id), buyer_id=buyer_id,
                                    created_at=now, expires_at=now + deps.config.session_lifetime)


def save_replacing(deps: Deps, session: BuyerSession, previous_session_id: str | None,
                   now: datetime) -> None:
    """Save a login's session, in the caller's transaction, retiring what it replaces.

    ``previous_session_id`` (the browser's cookie from before, if any) is revoked, so a
    session id planted before login is never promoted (no fixation). Any link still
    pending (an older email, a merchant link) dies with this login, so one requested
    earlier cannot log in after a later logout.
    """
    if previous_session_id and len(previous_session_id) <= MAX_SESSION_ID_LENGTH:
        deps.store.revoke_session(_session_hash(previous_session_id), now)
    deps.store.revoke_login_links(session.buyer_id, now)
    deps.store.save_session(session)


def _session_hash(raw_session_id: str) -> str:
    return sha256_hex(raw_session_id)


def authenticate(deps: Deps, raw_session_id: str | None) -> BuyerSession:
    """The live session behind a cookie value, or AuthenticationRequired.

    The lifetime is absolute, counted from the stored creation time. An expired session
    is revoked and audited the first time it is seen, and keeps answering ``expired=True``
    so the page can say why the buyer has to log in again.
    """
    if not raw_session_id or len(raw_session_id) > MAX_SESSION_ID_LENGTH:
        raise AuthenticationRequired()
    id_hash = _session_hash(raw_session_id)
    session = deps.store.get_session(id_hash)
    if session is None:
        raise AuthenticationRequired()
    now = deps.clock.now()
    if session.revoked_at is not None and session.revoked_at < session.expires_at:
        raise AuthenticationRequired()  # logged out (or revoked) before it expired
    if now >= session.expires_at:
        if session.revoked_at is None:
            with deps.store.atomic():
                deps.store.revoke_session(id_hash, now)
                deps.audit(actor=f"buyer:{session.buyer_id}", action="session.expired",
                           subject=f"buyer:{session.buyer_id}",
                           new={"session_sha256_prefix": id_hash[:12]})
        raise AuthenticationRequired(key="session.expired", expired=True)
    return session


def logout(deps: Deps, raw_session_id: str | None) -> None:
    """Revoke the session server-side, so a replayed cookie is refused. Idempotent."""
    if not raw_session_id or len(raw_session_id) > MAX_SESSION_ID_LENGTH:
        return
    id_hash = _session_hash(raw_session_id)
    session = deps.store.get_session(id_hash)
    if session is None or session.revoked_at is not None:
        return
    now = deps.clock.now()
    with deps.store.atomic():
        deps.store.revoke_session(id_hash, now)
        deps.store.revoke_login_links(session.buyer_id, now)
        deps.audit(actor=f"buyer:{session.buyer_id}", action="logout",
                   subject=f"buyer:{session.buyer_id}",
                   new={"session_sha256_prefix": id_hash[:12]})


def logout_everywhere(deps: Deps, raw_session_id: str | None) -> None:
    """Revoke every session of the buyer behind this live session (other browsers and
    devices included) and every pending link. AuthenticationRequired without one."""
    session = authenticate(deps, raw_session_id)
    now = deps.clock.now()
    with deps.store.atomic():
        deps.store.revoke_buyer_sessions(session.buyer_id, now)
        deps.store.revoke_login_links(session.buyer_id, now)
        deps.audit(actor=f"buyer:{session.buyer_id}", action="logout.everywhere",
                   subject=f"buyer:{session.buyer_id}")
