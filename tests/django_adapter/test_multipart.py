"""The Django test Client posts multipart/form-data by default; the portal's forms take it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client, override_settings
from django.test.client import encode_multipart

from waffo_portal.testing import PortalKit, make_kit

from .test_views import portal_settings


@pytest.fixture
def kit() -> Iterator[PortalKit]:
    kit = make_kit()
    with override_settings(WAFFO_PORTAL=portal_settings(kit)):
        yield kit


def login_form(http: Client) -> str:
    page = http.get("/billing/login")
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.content.decode())
    assert found is not None
    return found.group(1)


def browser() -> Client:
    return Client(HTTP_HOST="shop.example", secure=True)


def test_a_default_multipart_post_logs_in(kit: PortalKit) -> None:
    http = browser()
    answer = http.post("/billing/login", {"email": "ada@example.com",
                                          "csrf_token": login_form(http)})
    assert answer.status_code in (200, 303), answer.content.decode()[:300]
    assert "expired" not in answer.content.decode()
    assert [m.to for m in kit.mailer.outbox] == ["ada@example.com"]


def test_an_urlencoded_post_still_works(kit: PortalKit) -> None:
    http = browser()
    body = f"email=ada%40example.com&csrf_token={login_form(http)}"
    answer = http.post("/billing/login", body,
                       content_type="application/x-www-form-urlencoded")
    assert answer.status_code in (200, 303)
    assert [m.to for m in kit.mailer.outbox] == ["ada@example.com"]


def test_a_multipart_post_without_the_token_is_still_refused(kit: PortalKit) -> None:
    http = browser()
    login_form(http)
    answer = http.post("/billing/login", {"email": "ada@example.com"})
    assert answer.status_code == 403
    assert not kit.mailer.outbox


def test_a_broken_multipart_body_is_refused_as_an_empty_form(kit: PortalKit) -> None:
    http = browser()
    token = login_form(http)
    body = encode_multipart("BoUnDaRy", {"email": "ada@example.com", "csrf_token": token})
    answer = http.post("/billing/login", body[:40],  # cut inside the first part
                       content_type="multipart/form-data; boundary=BoUnDaRy")
    assert answer.status_code == 403
    assert not kit.mailer.outbox
