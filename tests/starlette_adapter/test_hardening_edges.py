"""Issue 19, items 4, 5 and 12 through the Starlette adapter."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from waffo_portal.integrations.starlette import portal_routes
from waffo_portal.testing import PortalKit
from waffo_portal.testing.client import PortalTestClient
from waffo_portal.web import PortalWebApp

from ..bridge import ASGIBridge
from ..hardening_checks import CHECKS, Check, seeded_kit  # noqa: F401  (the kit fixture)


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_hostile_requests_through_starlette(kit: PortalKit, check: Check) -> None:
    app = Starlette(routes=portal_routes(PortalWebApp(kit.portal)))
    client = PortalTestClient(ASGIBridge(app, kit.portal, "/billing"))  # type: ignore[arg-type]
    check(client, kit, "\n")  # the ASGI server decodes the path; the bridge does not
