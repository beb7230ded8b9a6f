from __future__ import annotations

from datetime import timedelta

import pytest

from waffo_portal import ConfigurationError, PortalConfig
from waffo_portal.testing.factories import TEST_SECRET, test_config


def test_valid_config_passes() -> None:
    config = test_config().validate()
    assert config.base_path == "/billing"
    assert config.session_lifetime == timedelta(minutes=30)


@pytest.mark.parametrize(("overrides", "setting"), [
    ({"secret_keys": ()}, "secret_keys"),
    ({"secret_keys": ("short",)}, "secret_keys"),
    ({"base_url": "ftp://x"}, "base_url"),
    ({"base_url": "http://shop.example/billing"}, "base_url"),  # http with Secure cookies
    ({"base_url": "https://shop.example/billing?x=1"}, "base_url"),
    ({"link_lifetime": timedelta(minutes=16)}, "link_lifetime"),
    ({"session_lifetime": timedelta(seconds=10)}, "session_lifetime"),
    ({"default_locale": "xx"}, "default_locale"),
    ({"cookie_secure": False, "base_url": "http://localhost:8000/portal"}, "cookie_name"),
    ({"trusted_proxy_count": -1}, "trusted_proxy_count"),
])
def test_insecure_or_impossible_settings_are_refused(overrides: dict[str, object],
                                                     setting: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        test_config(**overrides).validate()
    assert caught.value.setting == setting


def test_local_http_is_allowed_with_explicit_opt_out() -> None:
    config = test_config(base_url="http://127.0.0.1:8000/portal", cookie_secure=False,
                         cookie_name="waffo_portal").validate()
    assert config.base_path == "/portal"


def test_from_mapping_converts_and_rejects_typos() -> None:
    config = PortalConfig.from_mapping({
        "secret_keys": TEST_SECRET, "base_url": "https://shop.example/billing",
        "session_lifetime": 600, "branding": {"name": "Shop", "primary_color": "#112233"},
    })
    assert config.secret_keys == (TEST_SECRET,)
    assert config.session_lifetime == timedelta(minutes=10)
    assert config.branding.name == "Shop"
    with pytest.raises(ConfigurationError, match="sesion_lifetime"):
        PortalConfig.from_mapping({"secret_keys": TEST_SECRET, "base_url": "https://x.example",
                                   "sesion_lifetime": 5})


def test_config_is_frozen() -> None:
    import attrs

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        test_config().base_url = "https://evil.example"  # type: ignore[misc]


def test_repr_and_str_do_not_show_the_secret_keys() -> None:
    secret = "k" * 40 + "-do-not-log"
    config = test_config(secret_keys=[secret])
    assert secret not in repr(config) and secret not in str(config)
    assert "base_url=" in repr(config)
