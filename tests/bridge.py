"""Drive a framework-mounted portal with ``PortalTestClient``.

A bridge looks like a ``PortalWebApp`` (``.portal``, ``.handle(Request)``) but sends each
request through the framework under test as real WSGI/ASGI traffic at
``https://shop.example/<mount>/...``, then reads the framework's answer back into a
``Response``. The web layer's flow tests therefore run unchanged against every adapter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from waffo_portal.service import Portal
from waffo_portal.web import Cookie, Request, Response

HOST = "https://shop.example"


def parse_set_cookie(header: str) -> Cookie:
    first, *attributes = [part.strip() for part in header.split(";")]
    name, _, value = first.partition("=")
    options = {k.lower(): v for k, _, v in (a.partition("=") for a in attributes)}
    max_age = options.get("max-age")
    return Cookie(name, value.strip('"'), options.get("path", "/"),
                  int(max_age) if max_age is not None else None, "secure" in options,
                  "httponly" in options, options.get("samesite", "Lax"))


def to_response(status: int, headers: Iterable[tuple[str, str]], body: bytes) -> Response:
    plain, cookies = [], []
    for name, value in headers:
        if name.lower() == "set-cookie":
            cookies.append(parse_set_cookie(value))
        else:
            plain.append((name, value))
    return Response(status, plain, body, cookies)


def _outgoing(request: Request) -> tuple[dict[str, str], bytes]:
    headers = {k: v for k, v in request.headers.items() if k.lower() != "cookie"}
    if request.cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in request.cookies.items())
    body = b""
    if request.method == "POST":
        body = request.body or urlencode(request.form.pairs()).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    return headers, body


class WSGIBridge:
    """For Flask, Django and plain WSGI apps (via werkzeug's test client)."""

    def __init__(self, wsgi_app: Callable[..., Any], portal: Portal, mount: str) -> None:
        from werkzeug.test import Client

        self.client = Client(wsgi_app, use_cookies=False)
        self.portal = portal
        self.mount = mount
        self.last_environ: dict[str, Any] = {}

    def handle(self, request: Request) -> Response:
        headers, body = _outgoing(request)
        result = self.client.open(
            self.mount + request.path, method=request.method, base_url=HOST,
            query_string=urlencode(request.query.pairs()), headers=headers, data=body,
            environ_base={"REMOTE_ADDR": request.remote_addr or "198.51.100.7"})
        return to_response(result.status_code, result.headers.to_wsgi_list(),
                           result.get_data())


class ASGIBridge:
    """For Starlette/FastAPI apps (via Starlette's TestClient)."""

    def __init__(self, asgi_app: Any, portal: Portal, mount: str) -> None:
        from starlette.testclient import TestClient

        self.client = TestClient(asgi_app, base_url=HOST, follow_redirects=False,
                                 client=("198.51.100.7", 50000))
        self.portal = portal
        self.mount = mount

    def handle(self, request: Request) -> Response:
        headers, body = _outgoing(request)
        self.client.cookies.clear()
        result = self.client.request(request.method, self.mount + request.path,
                                     params=request.query.pairs(), headers=headers,
                                     content=body or None)
        return to_response(result.status_code, result.headers.multi_items(), result.content)
