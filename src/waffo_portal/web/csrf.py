"""CSRF tokens: signed by the portal, bound to the session (or, before login, to the page).

A logged-in form's token is bound to the session's stored hash, so it dies with the
session and cannot be replayed into another buyer's session. Before login there is no
session; the login form's token is bound to a fixed anonymous binding and the confirm
form's to the link token, and both rely on the Origin / Sec-Fetch-Site check as well.
"""

from __future__ import annotations

from ..core.exceptions import InvalidToken, PermissionDenied
from ..service import Portal
from ..tokens import sha256_hex
from .http import Request
from .security import cross_site

FIELD = "csrf_token"
ANONYMOUS = "anonymous"


def session_binding(session_hash: str) -> str:
    return f"session:{session_hash}"


def link_binding(link_token: str) -> str:
    return f"link:{sha256_hex(link_token)}"


def check(portal: Portal, request: Request, binding: str) -> None:
    """PermissionDenied unless the request is same-site and carries a valid token."""
    if cross_site(request, portal.config):
        raise PermissionDenied("cross-site form submission", reason="origin")
    token = request.form.get_one(FIELD)
    try:
        portal.check_csrf_token(token, binding)
    except InvalidToken:
        raise PermissionDenied("missing or invalid CSRF token", reason="csrf") from None
