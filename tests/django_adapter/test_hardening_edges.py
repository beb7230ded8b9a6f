"""Issue 19, items 4, 5 and 12 through the Django adapter."""

from __future__ import annotations

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings

from waffo_portal.integrations.django import get_portal
from waffo_portal.testing import PortalKit
from waffo_portal.testing.client import PortalTestClient

from ..bridge import WSGIBridge
from ..hardening_checks import CHECKS, Check
from .test_views import kit  # noqa: F401  (the kit with Django settings)


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_hostile_requests_through_django(kit: PortalKit, check: Check) -> None:  # noqa: F811
    bridge = WSGIBridge(WSGIHandler(), get_portal(), "/billing")
    check(PortalTestClient(bridge), kit, "%0A")  # type: ignore[arg-type]


def test_a_lower_django_upload_limit_also_gives_the_portals_413(
        kit: PortalKit) -> None:  # noqa: F811
    client = PortalTestClient(WSGIBridge(WSGIHandler(), get_portal(), "/billing"))  # type: ignore[arg-type]
    token = client.get("/login").csrf_token
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        answer = client.post("/login", {"csrf_token": token, "pad": "x" * 2000})
    assert answer.status == 413 and answer.header("content-security-policy")
