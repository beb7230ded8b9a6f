"""``Page``: everything a view needs for one request (who, which language, how to answer)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from babel.dates import format_date, format_datetime
from markupsafe import Markup

from ..core import billing_details
from ..core.auth_models import BuyerSession
from ..core.config import SUPPORTED_LOCALES, PortalConfig
from ..core.exceptions import AuthenticationRequired
from ..core.models import Buyer
from ..core.money import Money
from ..i18n import babel_locale, get_translations, text_direction
from ..service import Portal
from . import csrf
from .http import Cookie, Request, Response
from .messages import PERIOD_LABELS, STATUS_LABELS

if TYPE_CHECKING:
    from .app import PortalWebApp

DOMAIN = "portal"
HTML = "text/html; charset=utf-8"


class Page:
    """Per-request state; views receive it and return a Response."""

    def __init__(self, app: PortalWebApp, request: Request, session: BuyerSession | None,
                 locale: str, *, token_page: bool = False, buyer: Buyer | None = None) -> None:
        self.app = app
        self.portal: Portal = app.portal
        self.config: PortalConfig = app.portal.config
        self.request = request
        self.session = session
        self.locale = locale
        self.token_page = token_page
        self.cookies: list[Cookie] = []  # added to whatever response the view returns
        self._translations = get_translations(locale, DOMAIN)
        self._buyer = buyer  # the app already loaded it to pick the language

    # Who
    @property
    def buyer_id(self) -> str:
        if self.session is None:
            raise AuthenticationRequired()
        return self.session.buyer_id

    @property
    def buyer(self) -> Buyer | None:
        if self.session is not None and self._buyer is None:
            self._buyer = self.portal.find_buyer(self.session.buyer_id)
        return self._buyer

    # Words, numbers and dates in the buyer's language
    def gettext(self, message: str, **values: object) -> str:
        text: str = self._translations.gettext(message)
        return text % values if values else text

    def money(self, value: Money) -> str:
        return value.format(self.locale)

    def date(self, value: datetime | None) -> str:
        return "" if value is None else format_date(value, "long", locale=babel_locale(self.locale))

    def datetime(self, value: datetime | None) -> str:
        if value is None:
            return ""
        return format_datetime(value, "medium", tzinfo=value.tzinfo,
                               locale=babel_locale(self.locale))

    # Links
    def url(self, path: str, query: Mapping[str, str] | None = None) -> str:
        """A portal path (``/orders``) as the browser sees it (``/billing/orders``)."""
        full = f"{self.config.base_path}{path}"
        clean = {k: v for k, v in (query or {}).items() if v}
        return f"{full}?{urlencode(clean)}" if clean else full

    def here(self) -> str:
        """This page's own URL, for ``next`` after a re-login."""
        query = [(k, v) for k, v in self.request.query.pairs() if k != "lang"]
        full = f"{self.config.base_path}{self.request.path}"
        return f"{full}?{urlencode(query)}" if query else full

    @property
    def navigation(self) -> tuple[tuple[str, str, str], ...]:
        return self.app.navigation(self.locale)

    @property
    def language_options(self) -> Markup:
        return self.app.language_options(self.locale)

    @property
    def csrf_token(self) -> str:
        if self.session is not None:
            return self.portal.make_csrf_token(csrf.session_binding(self.session.id_hash))
        return self.portal.make_csrf_token(csrf.ANONYMOUS)

    # Answers
    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        body = self.app.templates.get_template(f"waffo_portal/{template}").render(
            self.template_context(context))
        return Response(status, (("Content-Type", HTML),), body.encode("utf-8"))

    def country_name(self, code: str) -> str:
        return billing_details.country_name(code, self.locale)

    def subdivision_name(self, code: str) -> str:
        return billing_details.subdivision_name(code, self.locale)

    def template_context(self, extra: Mapping[str, Any]) -> dict[str, Any]:
        gettext: Callable[..., str] = self.gettext
        return {
            "_": gettext, "gettext": gettext, "page": self, "url": self.url,
            "locale": self.locale, "direction": text_direction(self.locale),
            "brand": self.config.branding, "buyer": self.buyer,
            "logged_in": self.session is not None, "locales": locale_choices(),
            "csrf_field": csrf.FIELD, "current_path": self.request.path,
            "current_query": [(k, v) for k, v in self.request.query.pairs() if k != "lang"],
            "money": self.money, "date": self.date, "status_labels": STATUS_LABELS,
            "period_labels": PERIOD_LABELS, "country_name": self.country_name,
            "subdivision_name": self.subdivision_name, **extra,
        }

    def redirect(self, path: str, query: Mapping[str, str] | None = None) -> Response:
        return redirect_to(self.url(path, query))


def redirect_to(location: str, status: int = 303) -> Response:
    return Response(status, (("Location", location), ("Content-Type", HTML)), b"")


_NATIVE_NAMES = {
    "en": "English", "zh-Hans": "简体中文", "zh-Hant": "繁體中文", "ja": "日本語", "ko": "한국어",
    "th": "ไทย", "vi": "Tiếng Việt", "id": "Bahasa Indonesia", "ms": "Bahasa Melayu",
    "es": "Español", "pt-BR": "Português (Brasil)", "fr": "Français", "de": "Deutsch",
    "ru": "Русский", "pl": "Polski", "tr": "Türkçe", "ar": "العربية",
}


def locale_choices() -> list[tuple[str, str]]:
    return [(code, _NATIVE_NAMES.get(code, code)) for code in SUPPORTED_LOCALES]
