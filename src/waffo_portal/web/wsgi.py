"""A dependency-free WSGI adapter, for the demo, tests and hosts without a framework.

    from wsgiref.simple_server import make_server
    make_server("127.0.0.1", 8000, PortalWSGIApp(PortalWebApp(portal))).serve_forever()

The host's own WSGI view hands a logged-in customer over with
``return enter(web_app, environ, start_response, buyer_id, next="/billing/subscriptions")``.

Mounted under a prefix (``SCRIPT_NAME``, e.g. by a dispatcher), the portal sees paths
relative to it. ``remote_addr`` is the socket peer; ``X-Forwarded-For`` is handed on as a
header and believed only per ``PortalConfig.trusted_proxy_count``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from .app import PortalWebApp
from .http import MAX_BODY_BYTES, Request, Response, parse_cookie_header

StartResponse = Callable[..., Any]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _wsgi_text(value: str) -> str:
    # WSGI hands over URL paths as latin-1 "bytes in str"; the portal wants real text.
    return value.encode("latin-1").decode("utf-8", "replace")


def request_from_environ(environ: dict[str, Any]) -> Request:
    headers = [(key[5:].replace("_", "-").lower(), str(value))
               for key, value in environ.items() if key.startswith("HTTP_")]
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers.append((key.replace("_", "-").lower(), str(environ[key])))
    body, length = b"", 0
    if environ.get("REQUEST_METHOD", "GET").upper() == "POST":
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if 0 < length <= MAX_BODY_BYTES:
            body = environ["wsgi.input"].read(length)
    return Request(
        method=environ.get("REQUEST_METHOD", "GET"),
        path=_wsgi_text(environ.get("PATH_INFO", "")) or "/",
        query=_wsgi_text(environ.get("QUERY_STRING", "")),
        headers=headers, remote_addr=environ.get("REMOTE_ADDR", ""),
        scheme=environ.get("wsgi.url_scheme", "http"), body=body,
        body_too_large=length > MAX_BODY_BYTES,  # left unread; the portal answers 413
    )


class PortalWSGIApp:
    """WSGI callable around a :class:`PortalWebApp`."""

    def __init__(self, web_app: PortalWebApp) -> None:
        self.web_app = web_app

    def __call__(self, environ: dict[str, Any],
                 start_response: StartResponse) -> Iterable[bytes]:
        return respond(self.web_app.handle(request_from_environ(environ)), start_response)


def respond(response: Response, start_response: StartResponse) -> Iterable[bytes]:
    """Send a portal :class:`Response` from a WSGI callable."""
    headers = response.all_headers()
    if response.header("content-length") is None:
        headers.append(("Content-Length", str(len(response.body))))
    start_response(f"{response.status} {_reason(response.status)}", headers)
    return [response.body]


def enter(web_app: PortalWebApp, environ: dict[str, Any], start_response: StartResponse,
          buyer_id: str, *, next: str = "") -> Iterable[bytes]:
    """From your own logged-in WSGI view (same site): log ``buyer_id`` into the portal and
    redirect there (303). Reads only the request's cookies, never its body. Raises
    NotFound or ValidationError (``next``)."""
    cookies = parse_cookie_header(environ.get("HTTP_COOKIE"))
    return respond(web_app.enter(buyer_id, next=next, cookies=cookies), start_response)


__all__ = ["PortalWSGIApp", "enter", "request_from_environ", "respond"]
