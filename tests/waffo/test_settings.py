"""Waffo settings are checked once, at start-up, and every mistake names its key."""

from __future__ import annotations

from typing import Any

import pytest

from waffo_portal.core.exceptions import ConfigurationError, ValidationError
from waffo_portal.core.money import Money
from waffo_portal.providers.waffo import WaffoSettings
from waffo_portal.providers.waffo.settings import amount_text, money

from .test_signing import KEY_PEM

GOOD: dict[str, Any] = {"merchant_id": "MER_1mEbVHMBjMiSuPq6SNSkfm", "private_key": KEY_PEM,
                        "store_id": "STO_2aUyqjCzEIiEcYMKj7TZtw"}


def test_good_settings_use_waffos_hosts_and_builtin_webhook_keys() -> None:
    settings = WaffoSettings.from_mapping(GOOD)
    assert settings.base_url == "https://api.waffo.ai" and settings.environment == "test"
    assert settings.redirect_origins == ("https://pancake.waffo.ai", "https://checkout.waffo.ai")
    assert set(settings.webhook_keys) == {"test", "prod"}
    assert KEY_PEM not in repr(settings)  # the key never reaches a log line


@pytest.mark.parametrize(("change", "setting"), [
    ({"merchant_id": "MER_short"}, "merchant_id"),
    ({"merchant_id": "MER_1mEbVHMBjMiSuPq6SNSkfmX"}, "merchant_id"),  # 23 chars: Waffo 500s
    ({"store_id": "PROD_2aUyqjCzEIiEcYMKj7TZtw"}, "store_id"),
    ({"environment": "live"}, "environment"),
    ({"currency": "XYZ"}, "currency"),
    ({"base_url": "api.waffo.ai"}, "base_url"),
    ({"deadline_seconds": 130}, "deadline_seconds"),  # longer than the change lease
    ({"private_key": "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----"},
     "private_key"),
    ({"webhook_public_keys": {"prod": "x"}}, "webhook_public_keys"),
    ({"secret": "typo"}, "secret"),
    ({"private_key": ""}, "private_key"),
])
def test_each_mistake_is_a_configuration_error_naming_the_key(change: dict[str, Any],
                                                             setting: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        WaffoSettings.from_mapping({**GOOD, **change})
    assert caught.value.setting == setting


@pytest.mark.parametrize(("text", "currency", "minor"), [
    ("9.99", "USD", 999), ("1000", "JPY", 1000), ("0", "EUR", 0), ("12.345", "KWD", 12345),
    ("29.00", "USD", 2900)])
def test_amounts_are_decimal_strings_never_floats(text: str, currency: str, minor: int) -> None:
    value = money(text, currency)
    assert value == Money(minor, currency)
    assert money(amount_text(value), currency) == value


@pytest.mark.parametrize(("text", "currency"), [
    ("9.999", "USD"), ("10.5", "JPY"), ("-1.00", "USD"), ("1e3", "USD"), (9.99, "USD"),
    ("", "USD")])
def test_unreadable_amounts_are_refused(text: object, currency: str) -> None:
    with pytest.raises(ValidationError):
        money(text, currency)
