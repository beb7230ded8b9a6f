"""Every configuration mistake is one ConfigurationError naming its key, all reported at once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from waffo_portal import Branding, ConfigurationError, PortalConfig
from waffo_portal.testing.factories import TEST_SECRET, test_config

BASE = {"secret_keys": TEST_SECRET, "base_url": "https://shop.example/billing"}
DOCS = Path(__file__).parents[2] / "docs" / "configuration.md"


def _refused(values: dict[str, Any]) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as caught:
        PortalConfig.from_mapping(values)
    return caught.value


def test_a_typo_inside_branding_names_the_key_and_the_closest_one() -> None:
    error = _refused({**BASE, "branding": {"nmae": "Shop"}})
    assert str(error) == "branding: unknown key 'nmae' (did you mean 'name'?)"
    assert error.setting == "branding"


def test_an_unknown_branding_key_without_a_close_match_has_no_hint() -> None:
    error = _refused({**BASE, "branding": {"zzz": 1}})
    assert str(error) == "branding: unknown key 'zzz'"


def test_an_unknown_top_level_setting_suggests_the_closest() -> None:
    error = _refused({**BASE, "sesion_lifetime": 5})
    assert str(error) == "unknown setting 'sesion_lifetime' (did you mean 'session_lifetime'?)"
    assert error.setting == "sesion_lifetime"


def test_missing_required_settings_are_named() -> None:
    error = _refused({"base_url": "https://shop.example/billing"})
    assert str(error) == ("secret_keys is required: a list of signing keys of at least 32 "
                          "characters each, oldest first")
    error = _refused({})
    assert [setting for setting, _ in error.problems] == ["secret_keys", "base_url"]
    assert error.problems[1][1] == ("base_url is required: the absolute URL the portal is "
                                    "mounted at, e.g. https://shop.example/billing")


@pytest.mark.parametrize(("overrides", "line"), [
    ({"session_lifetime": "600"},
     "session_lifetime: expected a timedelta (or seconds, in a settings dict), got str '600'"),
    ({"cookie_secure": "false"}, "cookie_secure: expected True or False, got str 'false'"),
    ({"trusted_proxy_count": "1"}, "trusted_proxy_count: expected a whole number, got str '1'"),
    ({"base_url": 8000}, "base_url: expected a string, got int 8000"),
    ({"allowed_return_hosts": {"shop.example": True}},
     "allowed_return_hosts: expected a list of strings, got dict {'shop.example': True}"),
    ({"frame_ancestors": ["'self'", 443]},
     "frame_ancestors: expected a list of strings, got an item of type int 443"),
    ({"tax_rates": "DE=19"},
     "tax_rates: expected a dict of country code to tax percent, got str 'DE=19'"),
    ({"branding": "Shop"}, "branding: expected a Branding or a dict of its keys, got str 'Shop'"),
    ({"branding": {"address": "1 Main St"}},
     "branding.address: expected a list of strings, got str '1 Main St'"),
    ({"branding": {"name": 7}}, "branding.name: expected a string, got int 7"),
    ({"session_lifetime": float("inf")},
     "session_lifetime: expected a timedelta (or seconds, in a settings dict), got float inf"),
    ({"link_lifetime": 10**20}, "link_lifetime: expected a timedelta (or seconds, in a "
                                "settings dict), got int 100000000000000000000"),
])
def test_a_value_of_the_wrong_type_names_the_key_and_the_type(overrides: dict[str, Any],
                                                              line: str) -> None:
    error = _refused({**BASE, **overrides})
    assert str(error) == line
    assert error.problems == ((line.partition(":")[0], line),)


def test_secrets_of_the_wrong_type_are_not_shown() -> None:
    error = _refused({**BASE, "secret_keys": [TEST_SECRET, 12345678],
                      "audit_secret": 987654321})
    assert str(error) == ("2 configuration problems:\n"
                          "  secret_keys: expected a list of strings, got an item of type int\n"
                          "  audit_secret: expected a string, got int")


def test_all_problems_are_reported_at_once() -> None:
    error = _refused({**BASE, "sesion_lifetime": 5, "branding": {"nmae": "Shop"},
                      "allowed_return_hosts": ["https://shop.example"]})
    assert str(error) == (
        "3 configuration problems:\n"
        "  unknown setting 'sesion_lifetime' (did you mean 'session_lifetime'?)\n"
        "  branding: unknown key 'nmae' (did you mean 'name'?)\n"
        "  allowed_return_hosts: 'https://shop.example' is a URL; give the host only: "
        "'shop.example'")
    assert str(error) in DOCS.read_text()  # the example in docs/configuration.md is real
    assert error.setting == "sesion_lifetime"


def test_a_missing_key_does_not_hide_the_other_problems() -> None:
    error = _refused({"base_url": "https://shop.example/billing", "link_lifetime": 3600,
                      "default_locale": "xx"})
    assert error.problems == (
        ("secret_keys", "secret_keys is required: a list of signing keys of at least 32 "
                        "characters each, oldest first"),
        ("link_lifetime", "link_lifetime must be between 0 and 15 minutes"),
        ("default_locale", "default_locale: unsupported locale 'xx'"),
    )


def test_validate_reports_every_problem_with_its_key() -> None:
    with pytest.raises(ConfigurationError) as caught:
        test_config(secret_keys=("short",), link_lifetime=timedelta(hours=1),
                    trusted_proxy_count=-1,
                    branding=Branding(primary_color="red", merchant_url="javascript:x")).validate()
    error = caught.value
    assert str(error) == (
        "5 configuration problems:\n"
        "  secret_keys[0] has 5 characters; a key needs at least 32\n"
        "  trusted_proxy_count cannot be negative\n"
        "  link_lifetime must be between 0 and 15 minutes\n"
        "  branding.primary_color must look like #1a2b3c\n"
        "  branding.merchant_url must be an absolute http(s) URL or a path starting with /")
    assert [setting for setting, _ in error.problems] == [
        "secret_keys", "trusted_proxy_count", "link_lifetime", "branding.primary_color",
        "branding.merchant_url"]
    assert error.setting == "secret_keys"


def test_validate_names_wrong_types_given_in_code() -> None:
    with pytest.raises(ConfigurationError) as caught:
        test_config(session_lifetime=600).validate()
    assert str(caught.value) == ("session_lifetime: expected a timedelta (or seconds, in a "
                                 "settings dict), got int 600")


@pytest.mark.parametrize(("host", "line"), [
    ("https://shop.example", "allowed_return_hosts: 'https://shop.example' is a URL; give the "
                             "host only: 'shop.example'"),
    ("https://shop.example:8443/back", "allowed_return_hosts: 'https://shop.example:8443/back' "
                                       "is a URL; give the host only: 'shop.example:8443'"),
    ("shop.example/back", "allowed_return_hosts: 'shop.example/back' is not a host like "
                          "shop.example; give the host only: 'shop.example'"),
    ("", "allowed_return_hosts: '' is not a host like shop.example"),
    ("shop example", "allowed_return_hosts: 'shop example' is not a host like shop.example"),
])
def test_return_hosts_must_be_hosts(host: str, line: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        test_config(allowed_return_hosts=("shop.example", host)).validate()
    assert str(caught.value) == line
    assert caught.value.setting == "allowed_return_hosts"


def test_good_settings_still_convert() -> None:
    config = PortalConfig.from_mapping({
        **BASE, "session_lifetime": 600, "allowed_return_hosts": "shop.example:8443",
        "branding": {"name": "Shop", "address": ["1 Main St", "Springfield"],
                     "logo_path": Path("/srv/logo.png")},
    })
    assert config.session_lifetime == timedelta(minutes=10)
    assert config.allowed_return_hosts == ("shop.example:8443",)
    assert config.branding.address == ("1 Main St", "Springfield")
    assert config.branding.logo_path == "/srv/logo.png"


def test_a_single_error_raised_elsewhere_still_has_problems() -> None:
    error = ConfigurationError("cannot import 'x'", setting="store")
    assert error.problems == (("store", "cannot import 'x'"),)


def test_a_wrong_type_does_not_hide_the_other_settings_problems() -> None:
    with pytest.raises(ConfigurationError) as caught:
        test_config(session_lifetime=600, secret_keys=("short",), default_locale="xx").validate()
    assert [setting for setting, _ in caught.value.problems] == [
        "session_lifetime", "secret_keys", "default_locale"]
