from __future__ import annotations

import threading
from typing import Any

from django.apps import AppConfig
from django.core.signals import setting_changed

from ...web import PortalWebApp

_RESET_ON = {"WAFFO_PORTAL", "TEMPLATES", "INSTALLED_APPS"}


class WaffoPortalConfig(AppConfig):
    name = "waffo_portal.integrations.django"
    label = "waffo_portal"
    verbose_name = "Waffo customer portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)

        self._lock = threading.Lock()
        self._web: PortalWebApp | None = None
        setting_changed.connect(self._settings_changed, dispatch_uid="waffo_portal_reset")

    def web_app(self) -> PortalWebApp:
        with self._lock:
            if self._web is None:
                from .conf import build_web_app

                self._web = build_web_app()
            return self._web

    def _settings_changed(self, *, setting: str, **kwargs: Any) -> None:
        if setting in _RESET_ON:
            with self._lock:
                self._web = None
