"""``waffo_portal.integrations.django.enter``: a Django view hands its customer over."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path

from waffo_portal import AuthenticationRequired, NotFound, ValidationError
from waffo_portal.integrations.django import enter, get_portal
from waffo_portal.testing import PortalKit, make_kit

from .test_views import portal_settings

COOKIE = "__Host-waffo_portal"


def manage(request: HttpRequest) -> HttpResponse:
    # the shop's own login decides who this is; here the form says so
    return enter(request, request.POST["buyer"], next=request.POST.get("next", ""))


urlpatterns = [
    path("account/manage-subscription", manage),
    path("billing/", include("waffo_portal.integrations.django.urls")),
]


@pytest.fixture
def kit() -> Iterator[PortalKit]:
    kit = make_kit()
    with override_settings(WAFFO_PORTAL=portal_settings(kit), ROOT_URLCONF=__name__):
        yield kit


def browser() -> Client:
    # Django's test client skips the CSRF middleware's check, as a shop's own tests do
    return Client(HTTP_HOST="shop.example", secure=True)


def test_one_post_sets_the_cookie_and_lands_logged_in(kit: PortalKit) -> None:
    http = browser()
    answer = http.post("/account/manage-subscription",
                       {"buyer": kit.buyer.id, "next": "/billing/subscriptions"})
    assert answer.status_code == 303
    assert answer["Location"] == "/billing/subscriptions"
    assert answer["Cache-Control"] == "no-store"
    cookie = answer.cookies[COOKIE]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert kit.portal.authenticate(cookie.value).buyer_id == kit.buyer.id
    page = http.get("/billing/subscriptions")
    assert page.status_code == 200
    assert "Basic" in page.content.decode()


def test_the_browsers_previous_portal_session_is_revoked(kit: PortalKit) -> None:
    before = get_portal().start_session(kit.other_buyer.id).session_id
    http = browser()
    http.cookies[COOKIE] = before
    answer = http.post("/account/manage-subscription", {"buyer": kit.buyer.id})
    assert answer.cookies[COOKIE].value != before
    with pytest.raises(AuthenticationRequired):
        kit.portal.authenticate(before)
    assert answer["Location"] == "/billing/"
    assert http.get("/billing/").status_code == 200


def test_unknown_buyer_and_bad_next_raise_in_the_merchants_view(kit: PortalKit) -> None:
    http = browser()
    with pytest.raises(NotFound):
        http.post("/account/manage-subscription", {"buyer": "nobody"})
    with pytest.raises(ValidationError):
        http.post("/account/manage-subscription", {"buyer": kit.buyer.id, "next": "/admin/"})
