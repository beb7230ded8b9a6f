"""Django: a reusable app (``INSTALLED_APPS += ["waffo_portal.integrations.django"]``).

    # settings.py
    WAFFO_PORTAL = {"SECRET_KEYS": [...], "BASE_URL": "https://shop.example/billing",
                    "GATEWAY": "myshop.billing.Gateway"}
    # urls.py
    path("billing/", include("waffo_portal.integrations.django.urls"))

``get_portal()`` returns the configured :class:`~waffo_portal.Portal` for your own views;
``enter(request, buyer_id, next=...)`` hands a logged-in customer over to the portal.
With ``django.contrib.admin`` installed the portal's tables appear read-only in the admin;
``manage.py waffo_apply_due``, ``waffo_sync``, ``waffo_cancellation_report`` and
``waffo_render_invoice`` are its commands (docs/django.md).
"""

from __future__ import annotations

try:
    import django  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    from .._common import missing_framework

    raise missing_framework("waffo_portal.integrations.django", "Django", "django") from exc

from .conf import get_portal, get_web_app
from .views import enter

__all__ = ["enter", "get_portal", "get_web_app"]
