"""Issue 19, items 4, 5 and 12 through the Flask adapter."""

from __future__ import annotations

import pytest

from waffo_portal.testing import PortalKit

from ..hardening_checks import CHECKS, Check, seeded_kit  # noqa: F401  (the kit fixture)
from .test_flask import client_for, make_app


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_hostile_requests_through_flask(kit: PortalKit, check: Check) -> None:
    check(client_for(make_app(kit), kit), kit, "%0A")


def test_a_lower_flask_upload_limit_also_gives_the_portals_413(kit: PortalKit) -> None:
    app = make_app(kit, MAX_CONTENT_LENGTH=1000)
    client = client_for(app, kit)
    token = client.get("/login").csrf_token
    answer = client.post("/login", {"csrf_token": token, "pad": "x" * 2000})
    assert answer.status == 413 and answer.header("content-security-policy")
