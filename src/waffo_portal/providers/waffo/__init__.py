"""Waffo Pancake as the billing provider of record (needs the ``waffo`` extra).

    from waffo_portal.providers.waffo import WaffoProvider, WaffoSettings

    waffo = WaffoProvider(WaffoSettings(merchant_id=..., private_key=..., store_id=...))
    portal = Portal(config, store=store, mailer=mailer, provider=waffo,
                    webhooks=[waffo.webhooks()])

See docs/waffo.md.
"""

from __future__ import annotations

from .client import WaffoClient, WaffoRefused
from .provider import WaffoProvider
from .reads import WaffoReader
from .settings import WaffoSettings
from .webhooks import EVENT_TYPES, WaffoWebhooks

__all__ = ["EVENT_TYPES", "WaffoClient", "WaffoProvider", "WaffoReader", "WaffoRefused",
           "WaffoSettings", "WaffoWebhooks"]
