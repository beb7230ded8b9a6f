"""The login and session half of the ``Portal`` facade (a mixin of ``Portal``).

Every way a buyer gets in, stays in and gets out: emailed links, the merchant's links
and direct hand-off, portal links for emails, sessions, logout, CSRF tokens. Only
wiring; the rules are in ``use_cases/auth.py`` and ``use_cases/handoff.py``.
"""

from __future__ import annotations

from .core.auth_models import BuyerSession
from .use_cases import auth, handoff
from .use_cases.auth import LoginPreview, NewSession
from .use_cases.context import Deps
from .use_cases.handoff import LoginPrefill


class LoginFacade:
    """Login and sessions; ``Portal`` provides ``_deps``."""

    _deps: Deps

    def request_login_link(self, email: str, *, client_ip: str, locale: str | None = None,
                           return_to: str | None = None) -> None:
        """Email a single-use login link if ``email`` belongs to a buyer; for an unknown
        address do nothing, answering alike. Raises ValidationError (``email``) for a
        malformed address. The email goes through the outbox (see ``deliver_mail``): a
        mailer failure is retried and reported, never raised here."""
        auth.request_login_link(self._deps, email, client_ip, locale, return_to)

    def peek_login_link(self, token: str) -> LoginPreview:
        """Check a login link for the confirm page without using it up (safe for GET and
        mail scanners). Raises InvalidToken, TokenExpired or TokenUsed."""
        return auth.peek_login_link(self._deps, token)

    def confirm_login(self, token: str, previous_session_id: str | None = None) -> NewSession:
        """Use a login link up and open a 30-minute session; a link works exactly once, and
        a session from before login is revoked. Raises InvalidToken, TokenExpired, TokenUsed."""
        return auth.confirm_login(self._deps, token, previous_session_id)

    def authenticate(self, session_id: str | None) -> BuyerSession:
        """The live session behind a cookie value. Raises AuthenticationRequired (with
        ``expired=True`` once its lifetime has passed)."""
        return auth.authenticate(self._deps, session_id)

    def logout(self, session_id: str | None) -> None:
        """Revoke the session server-side, so a replayed cookie is refused, and every
        login link still pending for the buyer. Idempotent."""
        auth.logout(self._deps, session_id)

    def logout_everywhere(self, session_id: str | None) -> None:
        """Revoke all the buyer's sessions (every browser and device) and pending links.
        Raises AuthenticationRequired without a live session."""
        auth.logout_everywhere(self._deps, session_id)

    def send_login_link(self, buyer_id: str, *, actor: str = "merchant") -> None:
        """Email a login link to a buyer on the merchant's behalf (support staff, the
        Django admin action): not rate-limited, audited as ``login.link_sent`` by
        ``actor`` (e.g. ``"staff:alice"``). Raises NotFound for an unknown buyer."""
        auth.send_login_link(self._deps, buyer_id, actor)

    def create_login_link(self, buyer_id: str, *, return_url: str = "") -> str:
        """A single-use login URL, valid a few minutes, that lands on a confirm page: for
        a portal on another site than your app (on the same site, ``start_session`` through
        your adapter's ``enter`` needs no click). The buyer must exist (NotFound);
        ``return_url`` must be a portal path or an allowed host (ValidationError
        ``return_url``)."""
        return auth.create_login_link(self._deps, buyer_id, return_url)

    def start_session(self, buyer_id: str, *, next: str = "",
                      previous_session_id: str | None = None) -> NewSession:
        """Direct hand-off: open a session for a buyer your app has authenticated, with no
        link and no confirm page. Put ``session_id`` in the portal's cookie on your own
        response, on the portal's site (the adapters' ``enter`` does exactly that) and
        send the buyer to ``return_to``. ``next``: a portal path or an https URL on an
        allowed host (ValidationError ``next``; default the overview). The buyer must
        exist (NotFound). The session id is always new; ``previous_session_id`` (the
        portal cookie the browser sent to the merchant's view, if any) is revoked.
        Audited as a login."""
        return handoff.start_session(self._deps, buyer_id, next, previous_session_id)

    def email_portal_link(self, buyer_id: str, *, next: str = "") -> str:
        """A URL for receipts and dunning emails: the login page with the buyer's address
        filled in, valid ``email_link_lifetime`` (14 days by default). It opens no session
        (the buyer still gets a one-time link by email), so a forwarded one opens
        nothing; it does show the address, and the signed token carries the buyer id
        readably. The buyer must exist (NotFound); ``next`` as for ``start_session``."""
        return handoff.email_portal_link(self._deps, buyer_id, next)

    def login_prefill(self, token: str) -> LoginPrefill | None:
        """For the login page: what an email portal link fills in, or None (a tampered,
        expired or orphaned link is simply ignored). Never raises."""
        return handoff.login_prefill(self._deps, token)

    def make_csrf_token(self, binding: str) -> str:
        """A CSRF token bound to ``binding`` (the web layer binds it to the session)."""
        return self._deps.tokens.make_csrf_token(binding)

    def check_csrf_token(self, token: str, binding: str) -> None:
        """Raise InvalidToken or TokenExpired unless ``token`` was made for ``binding``."""
        self._deps.tokens.check_csrf_token(token, binding)
