from __future__ import annotations

import pytest

from waffo_portal.testing import PortalKit, make_kit


@pytest.fixture
def kit() -> PortalKit:
    return make_kit()
