"""Drive a framework-mounted portal with ``PortalTestClient``.

A bridge looks like a ``PortalWebApp`` (``.portal``, ``.handle(Request)``) but sends each
request through the framework under test as real WSGI/ASGI traffic at
``https://shop.example/<mount>/...``, then reads the framework's answer back into a
``Response``. The web layer's flow tests therefore run unchanged against every adapter.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

import attrs

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


@attrs.frozen
class ASGIAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header_list(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self) -> str:
        return self.body.decode()


def call_asgi(app: Any, method: str, path: str, *, query: str = "",
              headers: Mapping[str, str] | None = None, body: bytes = b"",
              client: tuple[str, int] = ("198.51.100.7", 50000),
              scheme: str = "https") -> ASGIAnswer:
    """One HTTP request through an ASGI app, the way a server would (no HTTP client needed)."""
    raw_headers = [(b"host", b"shop.example"),
                   *((k.lower().encode("latin-1"), v.encode("latin-1"))
                     for k, v in (headers or {}).items())]
    if body:
        raw_headers.append((b"content-length", str(len(body)).encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": scheme, "path": path, "raw_path": path.encode(),
             "query_string": query.encode(), "root_path": "", "headers": raw_headers,
             "client": client, "server": ("shop.example", 443)}
    sent: list[dict[str, Any]] = []
    chunks = [body[i:i + 4096] for i in range(0, len(body), 4096)] or [b""]

    async def receive() -> dict[str, Any]:
        if chunks:
            chunk = chunks.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return ASGIAnswer(start["status"], [(k.decode("latin-1"), v.decode("latin-1"))
                                        for k, v in start["headers"]], payload)


class ASGIBridge:
    """For Starlette/FastAPI apps, called directly as ASGI."""

    def __init__(self, asgi_app: Any, portal: Portal, mount: str) -> None:
        self.app = asgi_app
        self.portal = portal
        self.mount = mount

    def handle(self, request: Request) -> Response:
        headers, body = _outgoing(request)
        answer = call_asgi(self.app, request.method, self.mount + request.path,
                           query=urlencode(request.query.pairs()), headers=headers, body=body)
        return to_response(answer.status, answer.headers, answer.body)
