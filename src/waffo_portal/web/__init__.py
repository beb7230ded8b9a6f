"""The buyer portal's pages and flows, on a framework-neutral HTTP layer.

Adapters build a :class:`Request`, call :meth:`PortalWebApp.handle` and send the
:class:`Response` back; :class:`PortalWSGIApp` does that for plain WSGI.
"""

from __future__ import annotations

from .app import PortalWebApp
from .http import Cookie, Headers, MultiDict, Request, Response
from .wsgi import PortalWSGIApp

__all__ = ["Cookie", "Headers", "MultiDict", "PortalWSGIApp", "PortalWebApp", "Request",
           "Response"]
