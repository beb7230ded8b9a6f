"""The buyer portal's pages and flows, on a framework-neutral HTTP layer.

Adapters build a :class:`Request`, call :meth:`PortalWebApp.handle` and send the
:class:`Response` back; :class:`PortalWSGIApp` does that for plain WSGI.
Names load on first use, so ``import waffo_portal.web.messages`` loads no page
machinery and no PDF library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import PortalWebApp
    from .http import Cookie, Headers, MultiDict, Request, Response
    from .wsgi import PortalWSGIApp

_MODULE_OF = {"PortalWebApp": ".app", "PortalWSGIApp": ".wsgi", "Cookie": ".http",
              "Headers": ".http", "MultiDict": ".http", "Request": ".http", "Response": ".http"}

if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        module = _MODULE_OF.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value
        return value

__all__ = ["Cookie", "Headers", "MultiDict", "PortalWSGIApp", "PortalWebApp", "Request",
           "Response"]
