from __future__ import annotations

import pytest

from waffo_portal.testing import PortalKit, make_kit, seed_history
from waffo_portal.testing.client import PortalTestClient
from waffo_portal.web import PortalWebApp

from .helpers import login


@pytest.fixture
def kit() -> PortalKit:
    kit = make_kit()
    seed_history(kit)
    return kit


@pytest.fixture
def app(kit: PortalKit) -> PortalWebApp:
    return PortalWebApp(kit.portal)


@pytest.fixture
def client(app: PortalWebApp) -> PortalTestClient:
    return PortalTestClient(app)


@pytest.fixture
def buyer(client: PortalTestClient, kit: PortalKit) -> PortalTestClient:
    """A client logged in as kit.buyer."""
    login(client, kit)
    return client
