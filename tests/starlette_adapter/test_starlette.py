from __future__ import annotations

import threading

import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request as StarletteRequest
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from waffo_portal import ConfigurationError
from waffo_portal.integrations.starlette import PortalASGIApp, portal_routes
from waffo_portal.testing import PortalKit, make_kit, seed_history
from waffo_portal.testing.client import PortalTestClient
from waffo_portal.web import PortalWebApp, Request, Response
from waffo_portal.web.http import MAX_BODY_BYTES

from ..bridge import ASGIBridge, call_asgi
from ..flow import check_buyer_journey


@pytest.fixture
def kit() -> PortalKit:
    kit = make_kit()
    seed_history(kit)
    return kit


def home(request: StarletteRequest) -> PlainTextResponse:
    return PlainTextResponse("merchant home")


def test_buyer_journey_through_starlette_routes(kit: PortalKit) -> None:
    web = PortalWebApp(kit.portal)
    app = Starlette(routes=[Route("/", home), *portal_routes(web)])
    check_buyer_journey(PortalTestClient(ASGIBridge(app, kit.portal, "/billing")), kit)  # type: ignore[arg-type]
    assert call_asgi(app, "GET", "/").text == "merchant home"


def test_buyer_journey_through_fastapi_mount(kit: PortalKit) -> None:
    app = FastAPI()
    app.mount("/billing", PortalASGIApp(PortalWebApp(kit.portal)))
    check_buyer_journey(PortalTestClient(ASGIBridge(app, kit.portal, "/billing")), kit)  # type: ignore[arg-type]


def test_mount_path_must_agree_with_base_url(kit: PortalKit) -> None:
    with pytest.raises(ConfigurationError, match="'/portal'"):
        portal_routes(PortalWebApp(kit.portal), "/portal")


class RecordingWeb(PortalWebApp):
    def handle(self, request: Request) -> Response:
        self.seen = (request, threading.current_thread())
        return super().handle(request)


def test_request_translation_and_threadpool(kit: PortalKit) -> None:
    web = RecordingWeb(kit.portal)
    app = Starlette(routes=portal_routes(web))
    answer = call_asgi(app, "POST", "/billing/login", query="lang=de",
                       body=b"email=x%40example.com", client=("203.0.113.9", 1234),
                       headers={"Accept-Language": "fr",
                                "Content-Type": "application/x-www-form-urlencoded"})
    request, thread = web.seen
    assert request.path == "/login" and request.query.get_one("lang") == "de"
    assert request.form.get_one("email") == "x@example.com"
    assert request.remote_addr == "203.0.113.9" and request.scheme == "https"
    assert request.headers["accept-language"] == "fr"
    assert thread is not threading.main_thread()
    assert answer.status == 403  # no CSRF token: the portal, not Starlette, refused it


def test_every_set_cookie_is_sent(kit: PortalKit) -> None:
    app = Starlette(routes=portal_routes(PortalWebApp(kit.portal)))
    answer = call_asgi(app, "GET", "/billing/login", query="lang=ar")
    cookies = answer.header_list("set-cookie")
    assert any(c.startswith("__Host-waffo_portal_lang=ar;") for c in cookies)
    assert 'dir="rtl"' in answer.text
    assert answer.header_list("content-length") == [str(len(answer.body))]


def test_oversized_body_is_dropped(kit: PortalKit) -> None:
    web = RecordingWeb(kit.portal)
    call_asgi(Starlette(routes=portal_routes(web)), "POST", "/billing/login",
              body=b"email=a%40example.com&pad=" + b"x" * (MAX_BODY_BYTES + 1),
              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert not web.seen[0].form and web.seen[0].body == b""
