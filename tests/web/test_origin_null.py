"""Chromium posts the confirm form with Origin: null (no-referrer page): Sec-Fetch-Site decides."""

from __future__ import annotations

from waffo_portal.testing import PortalKit
from waffo_portal.testing.client import PortalTestClient

from .helpers import link_from_outbox, request_link


def confirm_with(client: PortalTestClient, kit: PortalKit, headers: dict[str, str]) -> int:
    request_link(client)
    page = client.get(link_from_outbox(kit))
    form = page.form("/login/confirm").values()
    return client.post("/login/confirm", form, headers=headers).status


def test_null_origin_from_the_no_referrer_confirm_page_is_same_origin(
        client: PortalTestClient, kit: PortalKit) -> None:
    status = confirm_with(client, kit, {"Origin": "null", "Sec-Fetch-Site": "same-origin"})
    assert status == 303


def test_null_origin_without_fetch_metadata_is_refused(client: PortalTestClient,
                                                       kit: PortalKit) -> None:
    assert confirm_with(client, kit, {"Origin": "null"}) == 403
    assert confirm_with(client, kit, {"Origin": "null", "Sec-Fetch-Site": "cross-site"}) == 403
