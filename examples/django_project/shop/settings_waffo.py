"""The example shop with Waffo Pancake as the billing provider of record.

The same shop, configured differently: ``DJANGO_SETTINGS_MODULE=shop.settings_waffo``.
Waffo's keys come from the environment; the portal's store starts empty and Waffo's
webhooks fill it (no ``seed_shop``).
"""

from __future__ import annotations

import os

from .settings import *  # noqa: F403
from .settings import WAFFO_PORTAL as _BASE_PORTAL

# What Waffo's dashboard gives you (Developers, API keys); never in the code.
SHOP_WAFFO = {
    "merchant_id": os.environ.get("WAFFO_MERCHANT_ID", ""),
    "private_key": os.environ.get("WAFFO_PRIVATE_KEY", ""),
    "store_id": os.environ.get("WAFFO_STORE_ID", ""),
    "environment": os.environ.get("WAFFO_ENVIRONMENT", "test"),
}

# Waffo decides and charges; the portal acts through it (no GATEWAY).
WAFFO_PORTAL = {key: value for key, value in _BASE_PORTAL.items() if key != "GATEWAY"}
WAFFO_PORTAL["PROVIDER"] = "shop.billing.waffo_provider"
WAFFO_PORTAL["WEBHOOKS"] = ["shop.billing.waffo_webhooks"]
