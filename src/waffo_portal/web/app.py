"""``PortalWebApp``: every page and flow of the buyer portal, as ``Request -> Response``.

    web = PortalWebApp(portal, template_dirs=["templates"])
    response = web.handle(Request("GET", "/orders", cookies=...))

Templates are looked up in this order, so a host can replace any of them
(``waffo_portal/base.html`` is the layout):

1. ``template_loader`` (the host's own jinja2 loader), if given;
2. each of ``template_dirs``, in order;
3. the portal's built-in ``waffo_portal/…`` templates.

Autoescaping is on for every template, including the host's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from contextlib import nullcontext
from os import PathLike

import attrs
import jinja2
from markupsafe import Markup

from ..core.auth_models import BuyerSession
from ..core.exceptions import AuthenticationRequired, PortalError
from ..i18n import choose_locale, get_translations, normalize_locale
from ..service import Portal
from . import csrf, errors, handoff, sessions
from .http import Request, Response
from .messages import NAVIGATION
from .page import DOMAIN, Page, locale_choices, redirect_to
from .routes import Route, match
from .security import secure_headers

log = logging.getLogger("waffo_portal.web")
_READ_ONLY = frozenset({"GET", "HEAD"})


class PortalWebApp:
    """The framework-neutral portal. Thread-safe: it keeps no per-request state."""

    def __init__(self, portal: Portal, *,
                 template_dirs: Iterable[str | PathLike[str]] = (),
                 template_loader: jinja2.BaseLoader | None = None) -> None:
        self.portal = portal
        loaders: list[jinja2.BaseLoader] = []
        if template_loader is not None:
            loaders.append(template_loader)
        loaders.extend(jinja2.FileSystemLoader(d) for d in template_dirs)
        loaders.append(jinja2.PackageLoader("waffo_portal.web", "templates"))
        self.templates = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders), autoescape=True,
            undefined=jinja2.StrictUndefined, auto_reload=False,
        )
        self._language_options: dict[str, Markup] = {}
        self._navigation: dict[str, tuple[tuple[str, str, str], ...]] = {}

    def language_options(self, locale: str) -> Markup:
        """The language menu's ``<option>``s with ``locale`` selected.

        They depend on nothing but the language (and templates never reload), so each
        language's are rendered once: 17 options are a third of the layout's cost. At most
        one entry per supported locale (``Page.locale`` is always one).
        """
        found = self._language_options.get(locale)
        if found is None:
            template = self.templates.get_template("waffo_portal/_language_options.html")
            # autoescaped template output, already safe HTML
            found = Markup(template.render(locales=locale_choices(), locale=locale))  # noqa: S704
            self._language_options[locale] = found
        return found

    def navigation(self, locale: str) -> tuple[tuple[str, str, str], ...]:
        """The layout's links as (href, label, portal path) in ``locale``, built once per
        language (eight calls from the template were a tenth of the layout's cost)."""
        found = self._navigation.get(locale)
        if found is None:
            translations = get_translations(locale, DOMAIN)
            base = self.portal.config.base_path
            found = tuple((f"{base}{path}", translations.gettext(label), path)
                          for path, label in NAVIGATION)
            self._navigation[locale] = found
        return found

    def enter(self, buyer_id: str, *, next: str = "",
              cookies: Mapping[str, str] | None = None) -> Response:
        """The merchant's direct hand-off: a 303 into the portal, logged in (web/handoff.py)."""
        return handoff.enter(self.portal, buyer_id, next=next, cookies=cookies)

    def handle(self, request: Request) -> Response:
        """Answer one request; never raises."""
        route: Route | None = None
        try:
            found = match(request.path)
            route = found[0] if found else None
            # A page view (GET/HEAD) reads; the store may serve those reads from one
            # connection. Any write in it (an expired session's revocation) is atomic().
            with self.portal.reading() if request.method in _READ_ONLY else nullcontext():
                response = self._dispatch(request, found)
        except Exception:
            log.exception("unexpected error on %s %s", request.method,
                          route.name if route else "unmatched route")
            response = errors.crash_page(self, request)
        return self._finish(request, route, response)

    def _dispatch(self, request: Request, found: tuple[Route, dict[str, str]] | None) -> Response:
        # Too many fields or too big a body: the adapter kept none of it; say so (400/413)
        # on our own page rather than let a view misread it as an expired form.
        matched = found[0] if found else None
        refusal = request.refusal(form_route=not (matched and matched.machine))
        if refusal is not None:
            page = self._error_page(request, matched)
            return errors.request_refused(page, refusal).with_cookies(*page.cookies)
        if found is None:
            page = self._error_page(request, None)
            return errors.not_found_page(page).with_cookies(*page.cookies)
        route, params = found
        method = "GET" if request.method == "HEAD" else request.method
        if route.static:
            view = route.views.get(method)
            return view(self, **params) if view else _not_allowed(route)
        if route.machine:  # no session, no page: the raw request (webhooks)
            view = route.views.get(method)
            return view(self, request, **params) if view else _not_allowed(route)
        session, expired = self._session(request)
        page = self._page(request, session, route)
        view = route.views.get(method)
        if view is None:
            return errors.not_allowed_page(page, route.allowed).with_cookies(*page.cookies)
        try:
            if route.auth and session is None:
                raise AuthenticationRequired(expired=expired)
            if method == "POST":
                self._check_csrf(page, route)
            response: Response = view(page, **params)
        except PortalError as exc:
            response = errors.error_response(page, exc, had_cookie=expired or (
                session is None and sessions.session_id(request, self.portal.config) is not None))
        return response.with_cookies(*page.cookies)

    def _session(self, request: Request) -> tuple[BuyerSession | None, bool]:
        raw = sessions.session_id(request, self.portal.config)
        if raw is None:
            return None, False
        try:
            return self.portal.authenticate(raw), False
        except AuthenticationRequired as exc:
            return None, exc.expired

    def _error_page(self, request: Request, route: Route | None) -> Page:
        """The page an error answers on: signed in when the request's session is valid, so a
        lost buyer keeps the navigation and a way back. A failing lookup costs the header
        only, never the answer."""
        if route is not None and (route.machine or route.static):
            return self._page(request, None, route)
        try:
            session, _expired = self._session(request)
            if session is not None:
                return self._page(request, session, route)
        except Exception:
            log.warning("no session for an error page on %s", request.method, exc_info=True)
        return self._page(request, None, route)

    def request_locale(self, request: Request, buyer_locale: str | None = None) -> str:
        """The page's language: ``?lang=``, the remembered choice, the buyer's, the
        browser's, the default. Reads only the request (the crash page uses it too)."""
        config = self.portal.config
        explicit = normalize_locale(request.query.get_one("lang"))
        remembered = request.cookies.get(sessions.lang_cookie_name(config))
        return choose_locale(explicit or remembered, buyer_locale,
                             request.headers.get("accept-language"), config.default_locale)

    def _page(self, request: Request, session: BuyerSession | None,
              route: Route | None) -> Page:
        config = self.portal.config
        explicit = normalize_locale(request.query.get_one("lang"))
        remembered = request.cookies.get(sessions.lang_cookie_name(config))
        buyer = self.portal.find_buyer(session.buyer_id) if session else None
        locale = self.request_locale(request, buyer.locale if buyer else None)
        page = Page(self, request, session, locale,
                    token_page=bool(route and route.token_page), buyer=buyer)
        if explicit and explicit != remembered:
            page.cookies.append(sessions.lang_cookie(config, explicit))
        return page

    def _check_csrf(self, page: Page, route: Route) -> None:
        if route.csrf == "session" and page.session is not None:
            csrf.check(self.portal, page.request, csrf.session_binding(page.session.id_hash))
        elif route.csrf == "anonymous":
            csrf.check(self.portal, page.request, csrf.ANONYMOUS)
        elif route.csrf == "link":
            token = page.request.form.get_one("token")
            csrf.check(self.portal, page.request, csrf.link_binding(token))

    def _finish(self, request: Request, route: Route | None, response: Response) -> Response:
        response = secure_headers(response, request, self.portal.config,
                                  cacheable=bool(route and route.static and response.status == 200),
                                  token_page=bool(route and route.token_page),
                                  form_targets=self.portal.redirect_origins)
        response = response.with_headers([("Content-Length", str(len(response.body)))],
                                          replace=True)
        if request.method == "HEAD":
            response = attrs.evolve(response, body=b"")
        return response


def _not_allowed(route: Route) -> Response:
    allowed = ", ".join(route.allowed)
    return Response(405, (("Allow", allowed), ("Content-Type", "text/plain; charset=utf-8")),
                    b"Method Not Allowed\n")


__all__ = ["PortalWebApp", "redirect_to"]
