"""``waffo-portal demo``: a tiny demo merchant with the portal mounted at /portal.

Standard library only (wsgiref with a thread per request): the demo must run on a
fresh machine with nothing but the package installed.
"""

from __future__ import annotations

import html
import socketserver
import sys
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, TextIO
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .core.exceptions import PortalError
from .demo import DEMO_ACCOUNTS, demo_portal
from .service import Portal
from .web import PortalWebApp, PortalWSGIApp
from .web.wsgi import StartResponse, enter

PORTAL_MOUNT = "/portal"


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True  # Ctrl-C must not wait for open keep-alive connections


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None  # request lines would print login tokens to the terminal


class ShownAccount(Protocol):
    """A demo buyer as the home page and the banner list it."""

    @property
    def email(self) -> str: ...
    @property
    def locale(self) -> str: ...
    @property
    def story(self) -> str: ...


class DemoMerchant:
    """The merchant's own pages: a home page with "Manage subscription" buttons."""

    def __init__(self, portal: Portal,
                 accounts: Sequence[ShownAccount] = DEMO_ACCOUNTS) -> None:
        self.portal = portal
        self.accounts = accounts
        self.portal_app = PortalWSGIApp(PortalWebApp(portal))

    def __call__(self, environ: dict[str, Any],
                 start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if path == PORTAL_MOUNT or path.startswith(PORTAL_MOUNT + "/"):
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + PORTAL_MOUNT
            environ["PATH_INFO"] = path[len(PORTAL_MOUNT):] or "/"
            return self.portal_app(environ, start_response)
        if path == "/manage" and environ.get("REQUEST_METHOD") == "POST":
            return self._manage(environ, start_response)
        if path == "/":
            return _send(start_response, "200 OK", self._home())
        return _send(start_response, "404 Not Found", "<h1>Not found</h1>")

    def _manage(self, environ: dict[str, Any],
                start_response: StartResponse) -> Iterable[bytes]:
        """In a real app this button sits behind the merchant's own login."""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = parse_qs(environ["wsgi.input"].read(length).decode())
        email = form.get("email", [""])[0]
        buyer = self.portal.find_buyer_by_email(email)
        if buyer is None:
            return _send(start_response, "404 Not Found", "<h1>Unknown demo buyer</h1>")
        try:  # the direct hand-off: one click, straight into the portal
            return enter(self.portal_app.web_app, environ, start_response, buyer.id,
                         next=f"{PORTAL_MOUNT}/subscriptions")
        except PortalError as error:
            return _send(start_response, "400 Bad Request", html.escape(str(error)))

    def _home(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(a.email)}</td><td>{html.escape(a.locale)}</td>"
            f"<td>{html.escape(a.story)}</td><td><form method='post' action='/manage'>"
            f"<input type='hidden' name='email' value='{html.escape(a.email)}'>"
            "<button>Manage subscription</button></form></td></tr>"
            for a in self.accounts)
        return (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<title>Acme Cloud (demo merchant)</title></head><body><main>"
            "<h1>Acme Cloud — demo merchant</h1>"
            f"<p>Log in by email at <a href='{PORTAL_MOUNT}/login'>{PORTAL_MOUNT}/login</a> "
            "(the link is printed in the terminal), or go straight in as the shop's signed-in "
            "customer:</p>"
            "<table><thead><tr><th>Buyer</th><th>Locale</th><th>Shows</th><th></th></tr>"
            f"</thead><tbody>{rows}</tbody></table></main></body></html>")


def _send(start_response: StartResponse, status: str, body: str) -> Iterable[bytes]:
    data = body.encode()
    start_response(status, [("Content-Type", "text/html; charset=utf-8"),
                            ("Content-Length", str(len(data)))])
    return [data]


def banner(host: str, port: int, accounts: Sequence[ShownAccount] = DEMO_ACCOUNTS,
           extra: Sequence[str] = ()) -> str:
    lines = [
        "", "waffo-portal demo", "=================",
        f"Merchant home:  http://{host}:{port}/",
        f"Buyer portal:   http://{host}:{port}{PORTAL_MOUNT}/login",
        *extra,
        "Log in with any of these emails; login links are printed here:",
        *(f"  {a.email:<22} {a.locale:<8} {a.story}" for a in accounts),
        "Press Ctrl-C to stop.", "",
    ]
    return "\n".join(lines)


def serve_demo(host: str = "127.0.0.1", port: int = 8000, database: str | None = None,
               out: TextIO | None = None) -> None:
    stream = out or sys.stdout
    portal = demo_portal(database, port=port, host=host)
    server = make_server(host, port, DemoMerchant(portal), server_class=ThreadingWSGIServer,
                         handler_class=QuietHandler)
    print(banner(host, server.server_port), file=stream, flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
