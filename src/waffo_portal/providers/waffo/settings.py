"""The merchant's Waffo Pancake settings, checked once at start-up."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Literal
from urllib.parse import urlsplit

import attrs
from cryptography.hazmat.primitives.asymmetric import rsa

from ...core.exceptions import ConfigurationError, ValidationError
from ...core.money import Money, currency_exponent
from .signing import BUILTIN_WEBHOOK_KEYS, load_private_key, load_public_key

Environment = Literal["test", "prod"]
DEFAULT_BASE_URL: Final = "https://api.waffo.ai"
# Waffo's hosted pages: plan-change confirmation, checkout and the consumer portal.
DEFAULT_HOSTED_ORIGINS: Final = ("https://pancake.waffo.ai", "https://checkout.waffo.ai")
DEFAULT_CONSUMER_PORTAL: Final = "https://pancake.waffo.ai/consumer/portal/login"
# Below the portal's two-minute change lease: a slow Waffo can never outlive the lease
# (one call's attempts share this deadline).
DEFAULT_DEADLINE: Final = 30.0

_MERCHANT_ID = re.compile(r"^MER_[0-9A-Za-z]{22}$")
_SHORT_ID = re.compile(r"^[A-Z]{2,5}_[0-9A-Za-z]{22}$")
_AMOUNT = re.compile(r"^\d+(\.\d+)?$")


def money(text: object, currency: str) -> Money:
    """A Waffo amount (a decimal display string, "9.99", JPY "1000") as Money, never
    through a float. Raises ValidationError for anything else."""
    if not isinstance(text, str) or not _AMOUNT.match(text):
        raise ValidationError({"amount": "sync.amount_negative"})
    try:
        return Money.from_decimal(Decimal(text), currency)
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": "money.too_many_decimals"}) from None


def amount_text(value: Money) -> str:
    """Money as the display string Waffo expects (two decimals for USD, none for JPY)."""
    exponent = currency_exponent(value.currency)
    return f"{value.to_decimal():.{exponent}f}"


def _origin(url: str, setting: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError("use an absolute http(s) URL", setting=setting)
    return f"{parts.scheme}://{parts.netloc}"


@attrs.frozen
class WaffoSettings:
    """Everything the Waffo adapter needs; ``WaffoSettings.from_mapping`` reads a plain
    dict (e.g. built from environment variables). Keys are environment-bound: a test key
    signs only test calls. ``currency`` picks the plan price shown when a product is sold
    in several currencies.
    """

    merchant_id: str
    private_key: str = attrs.field(repr=False)
    store_id: str
    environment: Environment = "test"
    currency: str = "USD"
    base_url: str = DEFAULT_BASE_URL
    hosted_origins: tuple[str, ...] = DEFAULT_HOSTED_ORIGINS
    consumer_portal_url: str = DEFAULT_CONSUMER_PORTAL
    webhook_public_keys: Mapping[str, str] = attrs.field(
        factory=lambda: dict(BUILTIN_WEBHOOK_KEYS), repr=False)
    deadline_seconds: float = DEFAULT_DEADLINE
    product_group: str = "waffo"  # for products in no Waffo product group
    signing_key: rsa.RSAPrivateKey = attrs.field(init=False, repr=False, eq=False)
    webhook_keys: Mapping[str, rsa.RSAPublicKey] = attrs.field(init=False, repr=False,
                                                                eq=False)

    def __attrs_post_init__(self) -> None:
        if not _MERCHANT_ID.match(self.merchant_id):
            raise ConfigurationError("a merchant id is MER_ and 22 letters or digits",
                                     setting="merchant_id")
        if not _SHORT_ID.match(self.store_id) or not self.store_id.startswith("STO_"):
            raise ConfigurationError("a store id is STO_ and 22 letters or digits",
                                     setting="store_id")
        if self.environment not in ("test", "prod"):
            raise ConfigurationError('the environment is "test" or "prod"',
                                     setting="environment")
        try:
            Money.zero(self.currency)  # an ISO 4217 code babel knows
        except ValidationError:
            raise ConfigurationError("an ISO 4217 currency code", setting="currency") from None
        _origin(self.base_url, "base_url")
        _origin(self.consumer_portal_url, "consumer_portal_url")
        for origin in self.hosted_origins:
            _origin(origin, "hosted_origins")
        if not 1 <= self.deadline_seconds <= 90:
            raise ConfigurationError("between 1 and 90 seconds (the change lease is 120)",
                                     setting="deadline_seconds")
        if self.environment not in self.webhook_public_keys:
            raise ConfigurationError(f"no webhook key for {self.environment!r}",
                                     setting="webhook_public_keys")
        object.__setattr__(self, "signing_key", load_private_key(self.private_key))
        object.__setattr__(self, "webhook_keys", {
            env: load_public_key(pem) for env, pem in self.webhook_public_keys.items()})

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> WaffoSettings:
        """From a plain dict (a Flask config value, a Django setting of your own); unknown
        keys are refused by name, missing required ones too."""
        known = {field.name for field in attrs.fields(cls) if field.init}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigurationError(f"unknown Waffo setting {unknown[0]!r}",
                                     setting=unknown[0])
        missing = sorted(name for name in ("merchant_id", "private_key", "store_id")
                         if not values.get(name))
        if missing:
            raise ConfigurationError(f"the Waffo setting {missing[0]!r} is required",
                                     setting=missing[0])
        given = dict(values)
        if "hosted_origins" in given:
            given["hosted_origins"] = tuple(given["hosted_origins"])
        return cls(**given)

    @property
    def redirect_origins(self) -> tuple[str, ...]:
        origins = [_origin(url, "hosted_origins") for url in self.hosted_origins]
        origins.append(_origin(self.consumer_portal_url, "consumer_portal_url"))
        return tuple(dict.fromkeys(origins))
