"""Hostile-but-harmless requests, run against every adapter through a bridge (issue 19).

Each check drives a ``PortalTestClient`` whose app is a bridge (see ``tests/bridge.py``),
so the request really goes through the framework's request building and header writing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from waffo_portal.testing import PortalKit, make_kit, seed_history
from waffo_portal.testing.client import PortalTestClient, TestResponse
from waffo_portal.web.http import MAX_BODY_BYTES, MAX_FIELDS, Request

from .web.helpers import login

ENCODED = "/billing/%E4%B8%AD%C3%BC"  # "/billing/中ü", as a Location can carry it


def _is_portal_error_page(answer: TestResponse, status: int) -> None:
    assert answer.status == status, answer.text[:300]
    assert "frame-ancestors" in (answer.header("content-security-policy") or "")
    assert answer.header("x-content-type-options") == "nosniff"
    assert "Please check your input" in answer.text


def check_non_latin1_next(client: PortalTestClient, kit: PortalKit, newline: str) -> None:
    """Item 4: a non-Latin-1 ``next`` comes back percent-encoded, and the login sticks."""
    done = login(client, kit, next_path="/billing/中ü")
    assert done.location == ENCODED
    assert client.get("/orders").status == 200  # the session cookie arrived with it


def check_non_latin1_return_url(client: PortalTestClient, kit: PortalKit, newline: str) -> None:
    """Item 4: a merchant's ``return_url`` with non-ASCII characters, the same."""
    link = client.app.portal.create_login_link("buyer_1", return_url="https://shop.example/ä?q=ü")
    confirm = client.get(link)
    done = client.submit(confirm, "/login/confirm")
    assert done.location == "https://shop.example/%C3%A4?q=%C3%BC"


def check_too_many_fields(client: PortalTestClient, kit: PortalKit, newline: str) -> None:
    """Item 5: more query parameters or form fields than the portal reads: 400, our page."""
    many = [(f"f{index}", "x") for index in range(MAX_FIELDS + 1)]
    _is_portal_error_page(client.get("/login", query=dict(many)), 400)
    token = client.get("/login").csrf_token
    _is_portal_error_page(client.post("/login", [("csrf_token", token), *many]), 400)
    assert client.get("/login", query=dict(many[:MAX_FIELDS])).status == 200  # at the limit


def check_body_too_large(client: PortalTestClient, kit: PortalKit, newline: str) -> None:
    """Item 12: a form body over the form limit, or any body over the read limit: 413."""
    token = client.get("/login").csrf_token
    for size in (70_000, MAX_BODY_BYTES + 1):
        answer = client.post("/login", {"csrf_token": token, "email": "ada@example.com",
                                        "pad": "x" * size})
        _is_portal_error_page(answer, 413)
        assert "This is too long" in answer.text
    assert not kit.mailer.outbox


def check_trailing_newline_is_not_a_route(client: PortalTestClient, kit: PortalKit,
                                          newline: str) -> None:
    """Item 12: ``/login%0A`` is not ``/login``. ``newline`` is how the bridge's framework
    gets a decoded newline into the path: ``%0A`` for WSGI (decoded into PATH_INFO), a raw
    ``\n`` for ASGI (the server decodes; the bridge passes the path as is)."""
    assert client.app.handle(Request("GET", f"/login{newline}")).status == 404
    assert client.app.handle(Request("GET", "/login")).status == 200


Check = Callable[[PortalTestClient, PortalKit, str], None]
# Run each on a fresh kit and client: pytest.mark.parametrize("check", CHECKS, ids=...)
CHECKS: tuple[Check, ...] = (check_too_many_fields, check_body_too_large,
                             check_trailing_newline_is_not_a_route, check_non_latin1_next,
                             check_non_latin1_return_url)


@pytest.fixture(name="kit")
def seeded_kit() -> PortalKit:
    """A kit with order history, for the adapter modules that run the checks."""
    kit = make_kit()
    seed_history(kit)
    return kit
