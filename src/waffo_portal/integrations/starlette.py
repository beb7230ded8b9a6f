"""Starlette / FastAPI: the portal as a mountable ASGI app.

    web = PortalWebApp(portal)
    app = Starlette(routes=portal_routes(web))          # mounted at base_url's path
    fastapi_app.mount("/billing", PortalASGIApp(web))   # or mount it yourself
    return await enter(web, request, buyer_id, next="/billing/subscriptions")  # hand-off

The portal core is synchronous (its Store may block on a database), so each request
runs in Starlette's threadpool and never blocks the event loop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

try:
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request as StarletteRequest
    from starlette.responses import Response as StarletteResponse
    from starlette.routing import BaseRoute, Mount
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    from ._common import missing_framework

    raise missing_framework("waffo_portal.integrations.starlette", "Starlette",
                            "starlette") from exc

from ..web import PortalWebApp, Request, Response
from ..web.http import MAX_BODY_BYTES
from ._common import check_mount, joined_headers, normalize_prefix, relative_path

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


async def read_body(receive: Receive, limit: int = MAX_BODY_BYTES) -> bytes:
    """The whole body, or ``b""`` once it exceeds ``limit`` (the rest is drained unread)."""
    body, _too_large = await read_limited_body(receive, limit)
    return body


async def read_limited_body(receive: Receive,
                            limit: int = MAX_BODY_BYTES) -> tuple[bytes, bool]:
    """``(body, False)``, or ``(b"", True)`` once it exceeds ``limit`` (drained unread)."""
    chunks: list[bytes] = []
    size, more = 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"", False
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        more = bool(message.get("more_body", False))
    return (b"".join(chunks), False) if size <= limit else (b"", True)


def to_portal_request(scope: Scope, body: bytes, *, body_too_large: bool = False) -> Request:
    client = scope.get("client") or ("", 0)
    # Starlette's Mount keeps the full path and records the mount in root_path.
    path = relative_path(scope["path"], scope.get("root_path", "").rstrip("/"))
    return Request(
        method=scope["method"], path=path,
        query=scope.get("query_string", b"").decode("utf-8", "replace"),
        headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
        remote_addr=client[0], scheme=scope.get("scheme", "http"), body=body,
        body_too_large=body_too_large,
    )


async def send_response(response: Response, send: Send) -> None:
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1"))
               for k, v in response.all_headers()]
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


def to_starlette_response(response: Response) -> StarletteResponse:
    answer = StarletteResponse(response.body, status_code=response.status,
                               headers=joined_headers(response.headers))
    answer.raw_headers.extend((b"set-cookie", cookie.header_value().encode("latin-1"))
                              for cookie in response.set_cookies)
    return answer


async def enter(web: PortalWebApp, request: StarletteRequest, buyer_id: str, *,
                next: str = "") -> StarletteResponse:
    """From your own logged-in endpoint (same site): log ``buyer_id`` into the portal and
    redirect there (303) in one step. The store work runs in the threadpool. Raises
    NotFound or ValidationError (``next``)."""
    response = await run_in_threadpool(web.enter, buyer_id, next=next,
                                       cookies=dict(request.cookies))
    return to_starlette_response(response)


class PortalASGIApp:
    """An ASGI app around a :class:`PortalWebApp`; mount it at ``base_url``'s path."""

    def __init__(self, web: PortalWebApp) -> None:
        self.web = web

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and websockets belong to the host app
            return
        body, too_large = (await read_limited_body(receive) if scope["method"] == "POST"
                           else (b"", False))
        request = to_portal_request(scope, body, body_too_large=too_large)  # 413 if too large
        response = await run_in_threadpool(self.web.handle, request)
        await send_response(response, send)


def portal_routes(web: PortalWebApp, path: str | None = None,
                  name: str = "waffo_portal") -> list[BaseRoute]:
    """Routes to add to a Starlette app; ``path`` defaults to ``base_url``'s path and
    MUST agree with it (ConfigurationError otherwise)."""
    config = web.portal.config
    mount = config.base_path if path is None else path
    check_mount(config, mount, f"Mount {name!r}")
    return [Mount(normalize_prefix(mount), app=PortalASGIApp(web), name=name)]


__all__ = ["PortalASGIApp", "enter", "portal_routes", "read_body", "read_limited_body",
           "send_response", "to_portal_request", "to_starlette_response"]
