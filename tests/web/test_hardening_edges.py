"""Issue 19, items 4, 5, 11 and 12 at the web layer and through the plain WSGI adapter."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from waffo_portal.testing import PortalKit, make_kit, seed_history
from waffo_portal.testing.client import PortalTestClient
from waffo_portal.testing.factories import test_config
from waffo_portal.web import PortalWebApp, PortalWSGIApp, Request
from waffo_portal.web.http import MAX_FIELDS
from waffo_portal.web.routes import match

from ..bridge import WSGIBridge
from ..hardening_checks import CHECKS, Check
from .helpers import login


def _elsewhere(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not the portal"]


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_hostile_requests_through_the_wsgi_adapter(kit: PortalKit, check: Check) -> None:
    shop = DispatcherMiddleware(_elsewhere, {"/billing": PortalWSGIApp(PortalWebApp(kit.portal))})
    check(PortalTestClient(WSGIBridge(shop, kit.portal, "/billing")), kit, "%0A")  # type: ignore[arg-type]


@pytest.mark.parametrize("path", ["/login\n", "/orders/ord_1\n", "/orders\n", "/\n"])
def test_routes_match_the_whole_path(path: str) -> None:
    assert match(path) is None


def test_building_a_request_never_raises_on_too_many_fields(app: PortalWebApp) -> None:
    many = "&".join(f"f{index}=x" for index in range(MAX_FIELDS + 1))
    request = Request("POST", "/login", query=many, body=many.encode(),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert request.query.too_many_fields and request.form.too_many_fields
    assert not request.query and not request.form  # nothing of it is kept
    answer = app.handle(request)
    assert answer.status == 400 and answer.header("content-security-policy")


def test_a_webhook_is_judged_by_the_read_limit_only(app: PortalWebApp) -> None:
    big = Request("POST", "/webhooks/test", body=b"{}", body_too_large=True,
                  headers={"Content-Type": "application/json"})
    assert app.handle(big).status == 413
    form_like = Request("POST", "/webhooks/test", body=b"a=" + b"x" * 70_000,
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form_like.refusal(form_route=False) is None  # its own signature check decides


def _invoice_document(frame_ancestors: tuple[str, ...]) -> tuple[str, str | None]:
    kit = make_kit(config=test_config(frame_ancestors=frame_ancestors))
    seed_history(kit)
    client = PortalTestClient(PortalWebApp(kit.portal))
    login(client, kit)
    answer = client.get("/orders/ord_3/invoice/document")
    assert answer.status == 200
    return answer.header("content-security-policy") or "", answer.header("x-frame-options")


def test_the_invoice_document_follows_the_embedding_setting() -> None:
    policy, frame_options = _invoice_document(("https://shop.example", "https://*.shop.example"))
    assert "frame-ancestors 'self' https://shop.example https://*.shop.example;" in policy
    assert frame_options is None  # it could only say SAMEORIGIN, which would block the shop


@pytest.mark.parametrize("setting", [("'none'",), ("'self'",)])
def test_without_embedding_the_document_is_framed_by_the_portal_alone(
        setting: tuple[str, ...]) -> None:
    policy, frame_options = _invoice_document(setting)
    assert "frame-ancestors 'self';" in policy and frame_options == "SAMEORIGIN"
