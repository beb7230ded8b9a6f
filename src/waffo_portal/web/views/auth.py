"""Login by emailed link, the confirm step, logout.

* Known and unknown addresses get the very same answer: a redirect to ``/login/sent``
  with no cookie and no per-request value, so status, headers and body are identical.
* The link's GET (and HEAD) page only shows who is signing in; mail scanners that fetch
  it use nothing up. The button POSTs, which consumes the link and opens a new session.
* A portal link from an email (``/login?prefill=…``) only fills in the address.
"""

from __future__ import annotations

from ...core.auth_models import PREFILL_PARAM
from ...core.client_ip import client_ip
from ...core.exceptions import DeliveryFailed, InvalidToken, ValidationError
from ...core.redirects import redirect_location, safe_return_path
from .. import csrf, sessions
from ..http import Response
from ..messages import key_message
from ..page import Page, redirect_to


def _next(page: Page, value: str) -> str:
    return safe_return_path(page.config, value or None)


def _login_page(page: Page, status: int = 200, *, email: str = "", next_path: str = "",
                errors: dict[str, str] | None = None, delivery_failed: bool = False) -> Response:
    return page.render("login.html", status, email=email, next_path=next_path,
                       errors=errors or {}, delivery_failed=delivery_failed,
                       expired=page.request.query.get_one("expired") == "1",
                       logged_out=page.request.query.get_one("bye") == "1")


def login_form(page: Page) -> Response:
    # Only a signed portal link (Portal.email_portal_link) fills in the address: a bare
    # ?email= would let any site put words in the form. A bad link is just ignored.
    prefill = page.portal.login_prefill(page.request.query.get_one(PREFILL_PARAM))
    if prefill is not None and prefill.next_path:
        next_path = prefill.next_path
    else:
        next_path = _next(page, page.request.query.get_one("next"))
    if page.session is not None:
        return redirect_to(next_path)
    return _login_page(page, next_path=next_path, email=prefill.email if prefill else "")


def login_submit(page: Page) -> Response:
    form = page.request.form
    email, next_path = form.get_one("email")[:320], _next(page, form.get_one("next"))
    ip = client_ip(page.request.remote_addr, page.request.headers.get("x-forwarded-for"),
                   page.config.trusted_proxy_count)
    try:
        page.portal.request_login_link(email, client_ip=ip, locale=page.locale,
                                       return_to=next_path)
    except ValidationError as exc:
        errors = {field: page.gettext(message) for field, key in exc.keys.items()
                  if (message := key_message(key)) is not None}
        return _login_page(page, 422, email=email, next_path=next_path, errors=errors)
    except DeliveryFailed:
        return _login_page(page, 503, email=email, next_path=next_path, delivery_failed=True)
    return page.redirect("/login/sent")


def login_sent(page: Page) -> Response:
    return page.render("login_sent.html")


def confirm_form(page: Page) -> Response:
    token = page.request.query.get_one("token")
    preview = page.portal.peek_login_link(token)
    return page.render("confirm.html", token=token, masked_email=preview.masked_email,
                       link_csrf=page.portal.make_csrf_token(csrf.link_binding(token)))


def confirm_submit(page: Page) -> Response:
    token = page.request.form.get_one("token")
    if not token:
        raise InvalidToken(key="link.invalid", reason="missing")
    previous = sessions.session_id(page.request, page.config)
    new = page.portal.confirm_login(token, previous_session_id=previous)
    # The link is used up now: nothing after this line may fail, so the stored target is
    # re-checked by a function that cannot raise and always yields an ASCII Location.
    return redirect_to(redirect_location(page.config, new.return_to)).with_cookies(
        sessions.session_cookie(page.config, new.session_id))


def logout(page: Page) -> Response:
    raw = sessions.session_id(page.request, page.config)
    if page.session is not None:
        # Only a live session has anything to protect; a dead cookie is just cleared.
        csrf.check(page.portal, page.request, csrf.session_binding(page.session.id_hash))
        if page.request.form.get_one("everywhere") == "1":
            page.portal.logout_everywhere(raw)  # every browser and device, not just this one
        else:
            page.portal.logout(raw)
    return page.redirect("/login", {"bye": "1"}).with_cookies(
        sessions.clear_session_cookie(page.config))
