"""The shop's Waffo Pancake provider, built from ``settings.SHOP_WAFFO`` (settings_waffo).

``WAFFO_PORTAL["PROVIDER"]`` and ``["WEBHOOKS"]`` name the two functions below; the
portal calls each without arguments when it starts.
"""

from __future__ import annotations

import functools

from django.conf import settings

from waffo_portal.providers.waffo import WaffoProvider, WaffoSettings, WaffoWebhooks


@functools.cache
def _provider() -> WaffoProvider:
    # One provider per process: the webhook source shares its HTTP client and plan cache.
    return WaffoProvider(WaffoSettings.from_mapping(settings.SHOP_WAFFO))


def waffo_provider() -> WaffoProvider:
    return _provider()


def waffo_webhooks() -> WaffoWebhooks:
    return _provider().webhooks()  # Waffo posts to /billing/webhooks/waffo
