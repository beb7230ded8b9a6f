"""A portal acting through the scripted provider (modules may override ``kit``)."""

from __future__ import annotations

import pytest

from waffo_portal.service import Portal
from waffo_portal.testing import PortalKit, make_kit
from waffo_portal.testing.factories import test_config

from .fake import ScriptedProvider


@pytest.fixture
def provider() -> ScriptedProvider:
    return ScriptedProvider()


@pytest.fixture
def kit(provider: ScriptedProvider) -> PortalKit:
    kit = make_kit()
    kit.portal = Portal(test_config(), store=kit.store, mailer=kit.mailer, provider=provider,
                        clock=kit.clock)
    return kit
