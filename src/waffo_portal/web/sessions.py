"""The session and language cookies.

The session cookie holds only the random session id; the server keeps the session
(hashed) and decides its lifetime. ``__Host-`` names must use ``Path=/``; any other name
is scoped to the portal's mount path so the host application never sees it.
"""

from __future__ import annotations

from ..core.config import PortalConfig
from .http import Cookie, Request

LANG_COOKIE_SUFFIX = "_lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


def cookie_path(config: PortalConfig) -> str:
    if config.cookie_name.startswith("__Host-"):
        return "/"
    return config.base_path or "/"


def _cookie(config: PortalConfig, name: str, value: str, max_age: int | None) -> Cookie:
    return Cookie(name=name, value=value, path=cookie_path(config), max_age=max_age,
                  secure=config.cookie_secure, http_only=True, same_site="Lax")


def session_id(request: Request, config: PortalConfig) -> str | None:
    return request.cookies.get(config.cookie_name) or None


def session_cookie(config: PortalConfig, raw_session_id: str) -> Cookie:
    seconds = int(config.session_lifetime.total_seconds())
    return _cookie(config, config.cookie_name, raw_session_id, seconds)


def clear_session_cookie(config: PortalConfig) -> Cookie:
    return _cookie(config, config.cookie_name, "", 0)


def lang_cookie_name(config: PortalConfig) -> str:
    return config.cookie_name + LANG_COOKIE_SUFFIX


def lang_cookie(config: PortalConfig, locale: str) -> Cookie:
    return _cookie(config, lang_cookie_name(config), locale, LANG_COOKIE_MAX_AGE)
