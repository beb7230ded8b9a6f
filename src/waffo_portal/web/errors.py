"""One place that turns a PortalError into the page (and status) the buyer sees.

Unexpected exceptions never get here: ``PortalWebApp.handle`` logs them and answers
with :func:`crash_page`, which says nothing about the cause.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..core.exceptions import (
    AuthenticationRequired,
    Conflict,
    DeliveryFailed,
    InvalidToken,
    NotFound,
    PaymentFailed,
    PermissionDenied,
    PortalError,
    RateLimited,
    TokenExpired,
    TokenUsed,
    ValidationError,
)
from ..core.redirects import safe_return_path
from . import sessions
from .http import Request, Response
from .messages import N_, key_message
from .page import Page, redirect_to

if TYPE_CHECKING:
    from .app import PortalWebApp

log = logging.getLogger("waffo_portal.web")

_GENERIC: dict[type[PortalError], tuple[str, str]] = {
    NotFound: (N_("Page not found"),
               N_("This page does not exist, or it belongs to another account.")),
    PermissionDenied: (N_("This form has expired"),
                       N_("Nothing was changed. Go back, reload the page and try again.")),
    TokenUsed: (N_("This link was already used"),
                N_("Each sign-in link works once. Request a new one below.")),
    TokenExpired: (N_("This link has expired"),
                   N_("Sign-in links work for a few minutes. Request a new one below.")),
    InvalidToken: (N_("This link is not valid"),
                   N_("It may have been replaced by a newer link. Request a new one below.")),
    RateLimited: (N_("Too many attempts"), N_("Please wait a few minutes and try again.")),
    Conflict: (N_("This cannot be done right now"), N_("Nothing was changed.")),
    PaymentFailed: (N_("The payment did not go through"),
                    N_("Nothing was changed. Please try again.")),
    DeliveryFailed: (N_("We could not send the email"), N_("Please try again in a moment.")),
    ValidationError: (N_("Please check your input"), N_("Nothing was changed.")),
}


def _texts(exc: PortalError) -> tuple[str, str]:
    for kind in type(exc).__mro__:
        if kind in _GENERIC:
            return _GENERIC[kind]
    return N_("Something went wrong"), N_("Nothing was changed. Please try again later.")


def login_redirect(page: Page, *, expired: bool, had_cookie: bool) -> Response:
    """Send the buyer to log in, remembering the page to come back to.

    For a POST the page to come back to is the form's own page (``_page``), never the
    action: a payment is never replayed, the buyer reviews it again.
    """
    request = page.request
    if request.method == "POST":
        wanted = safe_return_path(page.config, request.form.get_one("_page") or None)
    else:
        wanted = page.here()
    response = redirect_to(page.url("/login", {"next": wanted, "expired": "1" if expired else ""}))
    if had_cookie or expired:
        response = response.with_cookies(sessions.clear_session_cookie(page.config))
    return response


def error_response(page: Page, exc: PortalError, *, had_cookie: bool = False) -> Response:
    if isinstance(exc, AuthenticationRequired):
        return login_redirect(page, expired=exc.expired, had_cookie=had_cookie)
    title, detail = _texts(exc)
    messages = []
    if isinstance(exc, ValidationError):
        messages = [m for m in map(key_message, exc.keys.values()) if m]
    elif (message := key_message(exc.key)) is not None:
        messages = [message]
    if exc.status_code >= 500:
        log.warning("portal error %s on %s", exc.code, page.request.path)
    status = exc.status_code if 400 <= exc.status_code < 600 else 500
    return page.render("error.html", status, title=title, detail=detail, messages=messages,
                       offer_login=isinstance(exc, InvalidToken))


def request_refused(page: Page, status: int) -> Response:
    """400 (more fields than the portal reads) or 413 (a body over the limit)."""
    return page.render("error.html", status, title=N_("Please check your input"),
                       detail=N_("Nothing was changed."),
                       messages=[N_("This is too long")] if status == 413 else [],
                       offer_login=False)


def not_found_page(page: Page) -> Response:
    return error_response(page, NotFound("page", page.request.path))


def not_allowed_page(page: Page, allowed: list[str]) -> Response:
    """405 on a page's URL (a bookmarked form action, say): to the buyer there is no such
    page, so the not-found page, with ``Allow``."""
    response = page.render("error.html", 405, title=_GENERIC[NotFound][0],
                           detail=_GENERIC[NotFound][1], messages=[], offer_login=False)
    return response.with_headers([("Allow", ", ".join(allowed))])


_CRASH = (b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error</title>"
          b"</head><body><main><h1>Something went wrong</h1><p>Nothing was changed. "
          b"Please try again later.</p></main></body></html>")


def crash_page(app: PortalWebApp, request: Request) -> Response:
    """The generic 500 page: no detail, no buyer data, no session lookups (the store may be
    what failed). A buyer with a session cookie is offered the overview, not sign-in."""
    try:
        page = Page(app, request, None, app.request_locale(request))  # no store read
        signed_in = sessions.session_id(request, app.portal.config) is not None
        return page.render("error.html", 500, title=N_("Something went wrong"),
                           detail=N_("Nothing was changed. Please try again later."),
                           messages=[], offer_login=False, offer_home=signed_in)
    except Exception:
        log.exception("the error page itself failed")
        return Response(500, (("Content-Type", "text/html; charset=utf-8"),), _CRASH)
