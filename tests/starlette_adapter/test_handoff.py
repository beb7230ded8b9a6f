"""``integrations.starlette.enter``: a Starlette/FastAPI endpoint hands its customer over."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi import Request as FastAPIRequest
from starlette.applications import Starlette
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response as StarletteResponse
from starlette.routing import Route

from waffo_portal import AuthenticationRequired, NotFound, ValidationError
from waffo_portal.integrations.starlette import PortalASGIApp, enter, portal_routes
from waffo_portal.testing import PortalKit, make_kit
from waffo_portal.web import PortalWebApp

from ..bridge import ASGIAnswer, call_asgi

COOKIE = "__Host-waffo_portal"


@pytest.fixture
def kit() -> PortalKit:
    return make_kit()


def starlette_shop(web: PortalWebApp) -> Starlette:
    async def manage(request: StarletteRequest) -> StarletteResponse:
        who = request.query_params  # the shop's own login decides who; here the query
        return await enter(web, request, who["buyer"], next=who.get("next", ""))

    return Starlette(routes=[Route("/account/manage-subscription", manage, methods=["POST"]),
                             *portal_routes(web)])


def session_of(answer: ASGIAnswer) -> str:
    (cookie,) = [v for v in answer.header_list("set-cookie") if v.startswith(COOKIE + "=")]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    return cookie.split(";")[0].split("=", 1)[1]


def post_manage(app: object, query: str, cookie: str = "") -> ASGIAnswer:
    headers = {"cookie": f"{COOKIE}={cookie}"} if cookie else {}
    return call_asgi(app, "POST", "/account/manage-subscription", headers=headers, query=query)


def test_one_post_sets_the_cookie_and_lands_logged_in(kit: PortalKit) -> None:
    app = starlette_shop(PortalWebApp(kit.portal))
    answer = post_manage(app, f"buyer={kit.buyer.id}&next=/billing/subscriptions")
    assert answer.status == 303
    assert answer.header_list("location") == ["/billing/subscriptions"]
    assert answer.header_list("cache-control") == ["no-store"]
    session = session_of(answer)
    page = call_asgi(app, "GET", "/billing/subscriptions",
                     headers={"cookie": f"{COOKIE}={session}"})
    assert page.status == 200 and "Basic" in page.text


def test_the_browsers_previous_portal_session_is_revoked(kit: PortalKit) -> None:
    app = starlette_shop(PortalWebApp(kit.portal))
    before = kit.portal.start_session(kit.buyer.id).session_id
    answer = post_manage(app, f"buyer={kit.buyer.id}", cookie=before)
    assert session_of(answer) != before
    with pytest.raises(AuthenticationRequired):
        kit.portal.authenticate(before)


def test_unknown_buyer_and_bad_next_raise_in_the_merchants_endpoint(kit: PortalKit) -> None:
    app = starlette_shop(PortalWebApp(kit.portal))
    with pytest.raises(NotFound):
        post_manage(app, "buyer=nobody")
    with pytest.raises(ValidationError):
        post_manage(app, f"buyer={kit.buyer.id}&next=//evil.example/")


def test_fastapi_endpoint_with_the_portal_mounted(kit: PortalKit) -> None:
    web = PortalWebApp(kit.portal)
    app = FastAPI()

    @app.post("/account/manage-subscription")
    async def manage(request: FastAPIRequest) -> StarletteResponse:
        return await enter(web, request, kit.buyer.id, next="/billing/orders")

    app.mount("/billing", PortalASGIApp(web))
    answer = call_asgi(app, "POST", "/account/manage-subscription")
    assert answer.status == 303 and answer.header_list("location") == ["/billing/orders"]
    page = call_asgi(app, "GET", "/billing/orders",
                     headers={"cookie": f"{COOKIE}={session_of(answer)}"})
    assert page.status == 200
