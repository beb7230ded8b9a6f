"""Helpers for merchants' tests: sample data and the Store contract suite.

``from waffo_portal.testing.contract import StoreContract`` needs pytest.
"""

from __future__ import annotations

from .factories import PortalKit, make_kit, sample_subscription, seed_history

__all__ = ["PortalKit", "make_kit", "sample_subscription", "seed_history"]
