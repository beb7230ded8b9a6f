from __future__ import annotations

import os

import pytest

from waffo_portal.testing import PortalKit, make_kit

WaffoKeys = tuple[tuple[str, str], tuple[str, str]]  # (merchant pair, Waffo's pair), PEM


@pytest.fixture
def kit() -> PortalKit:
    return make_kit()


@pytest.fixture(scope="session")
def waffo_keys() -> WaffoKeys:
    """RSA-2048 pairs for a fake Waffo, made once per run (key generation is slow)."""
    from waffo_portal.testing.fake_waffo import generate_key
    return generate_key(), generate_key()


SERVICE_MARKERS = ("postgres", "browser", "poppler", "openssl")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """In CI (WAFFO_REQUIRE_SERVICES=1) a skipped service test is a failure, not a pass."""
    outcome = yield
    report = outcome.get_result()
    required = os.environ.get("WAFFO_REQUIRE_SERVICES") == "1"
    if required and report.skipped and any(item.get_closest_marker(m) for m in SERVICE_MARKERS):
        report.outcome = "failed"
        report.longrepr = f"skipped, but CI requires its service: {report.longrepr}"
