from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from waffo_portal import MemoryStore
from waffo_portal.testing import PortalKit, make_kit
from waffo_portal.testing.client import PortalTestClient
from waffo_portal.web import PortalWebApp, Request

from .helpers import login


@pytest.mark.parametrize(("method", "path", "query", "form"), [
    ("GET", "/orders", {"after": "\x00\xff" * 50}, None),
    ("GET", "/orders/%00", None, None),
    ("GET", "/orders/" + "a" * 500, None, None),
    ("GET", "/subscriptions/sub_1/change/review", {"plan": "ü" * 300}, None),
    ("GET", "/", {"lang": "\u202e" + "x" * 100}, None),
    ("GET", "/orders/ord_1/invoice/pdf", {"doc_lang": "zz", "type": "<x>"}, None),
    ("GET", "/login/confirm", {"token": "a.b.c"}, None),
    ("POST", "/billing-details", None, {"country": "\r\n", "postal_code": "x" * 10_000}),
    ("POST", "/subscriptions/sub_1/cancel", None, {"reason": "\x00", "comment": "\x07"}),
    ("POST", "/subscriptions/sub_1/change", None, {"plan": "", "idempotency_key": "🙂" * 40}),
    ("POST", "/subscriptions/sub_1/reactivate", None, {}),
    ("DELETE", "/", None, None),
])
def test_bad_input_never_gives_a_500(buyer: PortalTestClient, method: str, path: str,
                                    query: dict[str, str] | None,
                                    form: dict[str, str] | None) -> None:
    if form is not None:
        form = {"csrf_token": buyer.get("/").csrf_token, **form}
    answer = buyer.request(method, path, query=query, form=form)
    assert answer.status < 500, answer.text[:500]


def test_non_utf8_bodies_are_ignored_not_fatal(app: PortalWebApp) -> None:
    request = Request("POST", "/login", body=b"email=\xff\xfe",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert app.handle(request).status == 403  # no token: refused, not crashed


def test_head_matches_get_without_a_body(buyer: PortalTestClient) -> None:
    get, head = buyer.get("/orders"), buyer.head("/orders")
    assert head.status == 200 and head.response.body == b""
    assert head.header("Content-Length") == get.header("Content-Length") != "0"


def test_buyer_preference_beats_accept_language(app: PortalWebApp, kit: PortalKit) -> None:
    client = PortalTestClient(app, headers={"Accept-Language": "ja"})
    login(client, kit, email="bob@example.com")  # Bob prefers German
    assert '<html lang="de"' in client.get("/").text
    assert '<html lang="ko"' in client.get("/", query={"lang": "ko"}).text


def test_merchant_templates_come_first(kit: PortalKit, tmp_path: Path) -> None:
    folder = tmp_path / "waffo_portal"
    folder.mkdir()
    (folder / "login_sent.html").write_text(
        '{% extends "waffo_portal/base.html" %}{% block title %}Sent{% endblock %}'
        "{% block content %}<p>Merchant says: {{ brand.name }}</p>{% endblock %}")
    client = PortalTestClient(PortalWebApp(kit.portal, template_dirs=[tmp_path]))
    page = client.get("/login/sent")
    assert "Merchant says: Merchant" in page.text
    assert 'href="/billing/static/portal.css"' in page.text  # our layout still wraps it


class ScopedStore(MemoryStore):
    """A MemoryStore that offers a read scope and records when the portal opens one."""

    def __init__(self) -> None:
        super().__init__()
        self.scopes: list[str] = []

    @contextmanager
    def reading(self) -> Iterator[None]:
        self.scopes.append("open")
        yield


def test_page_views_read_in_one_scope_and_forms_do_not() -> None:
    store = ScopedStore()
    kit = make_kit(store)
    client = PortalTestClient(PortalWebApp(kit.portal))
    login(client, kit)
    store.scopes.clear()
    page = client.get("/subscriptions")
    client.head("/subscriptions")
    assert page.status == 200 and store.scopes == ["open", "open"]
    client.submit(page, "/logout")
    assert store.scopes == ["open", "open"]
    assert client.get("/subscriptions").status in (302, 303)  # revoked at once
