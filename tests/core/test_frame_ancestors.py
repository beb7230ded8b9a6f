"""Issue 19, item 11: ``frame_ancestors`` is checked before it reaches the CSP."""

from __future__ import annotations

import pytest

from waffo_portal import ConfigurationError, PortalConfig
from waffo_portal.testing.factories import TEST_SECRET, test_config
from waffo_portal.web.security import content_security_policy


@pytest.mark.parametrize("sources", [
    ("'none'",), ("'self'",), ("https://shop.example",), ("https://shop.example:8443",),
    ("https://*.shop.example",), ("'self'", "https://SHOP.example", "https://a-b.c.example"),
    ("https://localhost:3000",),
])
def test_keywords_and_https_origins_are_accepted(sources: tuple[str, ...]) -> None:
    config = test_config(frame_ancestors=sources).validate()
    assert f"frame-ancestors {' '.join(sources)};" in content_security_policy(config)


@pytest.mark.parametrize("sources", [
    ("*",), ("https:",), ("https://*",), ("http://shop.example",), ("shop.example",),
    ("https://shop.example; script-src *",), ("https://shop.example,https://evil.example",),
    ("https://shop.example https://evil.example",), ("'self' https://shop.example",),
    ("'unsafe-inline'",), ("none",), ('"self"',), ("https://shop.example/",),
    ("https://shop.example/path",), ("https://user@shop.example",), ("https://a.*.example",),
    ("https://shop.example:0",), ("https://shop.example:70000",), ("https://-bad.example",),
    ("https://shop.example\n",), ("https://\u212aelvin.example",), ("'none'", "'self'"), (),
])
def test_anything_else_is_refused_naming_the_setting(sources: tuple[str, ...]) -> None:
    with pytest.raises(ConfigurationError) as refused:
        test_config(frame_ancestors=sources).validate()
    assert refused.value.setting == "frame_ancestors"
    assert "frame_ancestors" in str(refused.value)


def test_settings_mappings_are_checked_too() -> None:
    with pytest.raises(ConfigurationError, match="frame_ancestors"):
        PortalConfig.from_mapping({"secret_keys": TEST_SECRET,
                                   "base_url": "https://shop.example/billing",
                                   "frame_ancestors": "'self'; report-uri https://x"})
