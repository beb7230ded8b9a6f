"""Ways in from the merchant's side: the direct hand-off, and portal links for emails.

* ``start_session``: the merchant's own, already authenticated page opens a portal session
  for its customer at once (no emailed link, no confirm page). Only for a server-side
  call on the portal's own site: the web layer sets the cookie on the merchant's response.
* ``email_portal_link``: a link for receipts and dunning emails that lasts days. It only
  fills in the login form (the buyer still gets a one-time link by email), so a forwarded
  or leaked email opens nothing.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import attrs

from ..core.auth_models import PREFILL_PARAM
from ..core.exceptions import InvalidToken, NotFound, TokenExpired, ValidationError
from ..core.redirects import check_return_url, default_page
from .auth import NewSession, new_session, save_replacing
from .context import Deps

log = logging.getLogger("waffo_portal.auth")

LOGIN_PATH = "/login"
HANDOFF = "merchant_handoff"  # how the audit trail names a login by hand-off

__all__ = ["LoginPrefill", "email_portal_link", "login_prefill", "start_session"]


@attrs.frozen
class LoginPrefill:
    """What a valid email portal link puts on the login page."""

    email: str
    next_path: str


def _checked_next(deps: Deps, next_path: str) -> str:
    """A ``next`` like every other one: a portal path or an https URL on an allowed host."""
    if not next_path:
        return default_page(deps.config)
    try:
        return check_return_url(deps.config, next_path, within_portal=True)
    except ValidationError:
        raise ValidationError({"next": "redirect.refused"}) from None


def start_session(deps: Deps, buyer_id: str, next_path: str = "",
                  previous_session_id: str | None = None) -> NewSession:
    """Open a new session for a buyer the merchant's app has authenticated.

    ``next_path`` is checked before anything is written (ValidationError ``next``); the
    buyer must exist (NotFound). ``previous_session_id`` (the portal cookie the browser
    sent, if any) is revoked, and the session id is always a new one.
    """
    target = _checked_next(deps, next_path)
    if deps.store.get_buyer(buyer_id) is None:
        raise NotFound("buyer", buyer_id)
    now = deps.clock.now()
    session_id, session = new_session(deps, buyer_id, now)
    with deps.store.atomic():
        save_replacing(deps, session, previous_session_id, now)
        deps.audit(actor="merchant", action="login.succeeded", subject=f"buyer:{buyer_id}",
                   new={"purpose": HANDOFF, "return_to": target,
                        "session_sha256_prefix": session.id_hash[:12]})
    log.info("buyer %s logged in (%s)", buyer_id, HANDOFF)
    return NewSession(session_id, buyer_id, target, session.expires_at)


def email_portal_link(deps: Deps, buyer_id: str, next_path: str = "") -> str:
    """A signed login-page URL with the buyer's address filled in, valid
    ``email_link_lifetime``. The buyer must exist (NotFound); ``next_path`` is checked
    like ``start_session``'s. Nothing is stored: the link opens no session."""
    target = _checked_next(deps, next_path) if next_path else ""
    if deps.store.get_buyer(buyer_id) is None:
        raise NotFound("buyer", buyer_id)
    token = deps.tokens.sign_portal_link(buyer_id, target)
    query = urlencode({PREFILL_PARAM: token})
    return f"{deps.config.base_url.rstrip('/')}{LOGIN_PATH}?{query}"


def login_prefill(deps: Deps, token: str) -> LoginPrefill | None:
    """What the login page may fill in from a portal link, or None for a tampered,
    expired or orphaned one: the page then looks as if there had been no link at all."""
    if not token:
        return None
    try:
        claims = deps.tokens.read_portal_link(token, deps.config.email_link_lifetime)
    except (InvalidToken, TokenExpired):
        return None
    buyer = deps.store.get_buyer(claims.buyer_id)
    if buyer is None:
        return None
    # Checked again: the rules (allowed hosts, mount) may have changed since it was signed.
    try:
        target = _checked_next(deps, claims.next_path) if claims.next_path else ""
    except ValidationError:
        target = ""
    return LoginPrefill(buyer.email, target)
