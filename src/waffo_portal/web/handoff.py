"""The merchant's direct hand-off, as a Response for the merchant's own view to return.

    response = web.enter(customer.id, next="/billing/subscriptions", cookies=request.cookies)

The merchant's page has already authenticated its customer, so the portal opens a session
at once: the answer is a 303 into the portal carrying the portal's session cookie. The
cookie has no ``Domain``: it only reaches the portal if the merchant's view is served from
the portal's own origin (``base_url``'s scheme and host). Across sites, use
``Portal.create_login_link`` instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..service import Portal
from . import sessions
from .http import Response
from .page import redirect_to


def enter(portal: Portal, buyer_id: str, *, next: str = "",
          cookies: Mapping[str, str] | None = None) -> Response:
    """A 303 to ``next`` (default: the overview) that logs ``buyer_id`` in.

    ``cookies`` are the request's: a portal session cookie among them is revoked, and the
    new session always gets a new id. Raises NotFound for an unknown buyer and
    ValidationError (``next``) for a target outside the portal and the allowed hosts.
    """
    config = portal.config
    previous = (cookies or {}).get(config.cookie_name) or None
    new = portal.start_session(buyer_id, next=next, previous_session_id=previous)
    # no-store: a shared cache must never replay a response that carries a session
    return redirect_to(new.return_to).with_headers(
        [("Cache-Control", "no-store")], replace=True).with_cookies(
        sessions.session_cookie(config, new.session_id))
