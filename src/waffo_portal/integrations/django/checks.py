"""System checks: ``manage.py check`` (and every ``runserver``/``migrate``) refuses an
invalid or insecure ``WAFFO_PORTAL`` before the first buyer sees an error page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.urls import NoReverseMatch, reverse

from ...core.config import PortalConfig
from ...core.exceptions import ConfigurationError
from .._common import normalize_prefix
from .conf import PORT_KEYS, SETTING, build_port, portal_config, raw_settings


@checks.register("waffo_portal")
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        values = raw_settings()
        config = portal_config(values)
    except ConfigurationError as exc:
        setting = exc.context.get("setting")
        hint = f"Fix settings.{SETTING}[{str(setting).upper()!r}]." if setting else None
        return [checks.Error(str(exc), hint=hint, id="waffo_portal.E001")]
    problems: list[checks.CheckMessage] = []
    if not settings.USE_TZ:
        problems.append(checks.Error(
            "waffo_portal needs USE_TZ = True (all its times are aware UTC datetimes).",
            id="waffo_portal.E002"))
    if values.get("gateway") is None and values.get("provider") is None:
        problems.append(checks.Error(
            f"settings.{SETTING}['GATEWAY'] (standalone) or ['PROVIDER'] (a billing "
            "provider of record) is required.", id="waffo_portal.E003"))
    problems.extend(_check_ports(values))
    problems.extend(_check_mount(config))
    return problems


def _check_ports(values: dict[str, Any]) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    dotted = [(f"[{key.upper()!r}]", values.get(key)) for key in PORT_KEYS
              if key != "webhooks"]
    dotted += [(f"['WEBHOOKS'][{i}]", source)
               for i, source in enumerate(values.get("webhooks") or ())]
    for label, value in dotted:
        if isinstance(value, str):
            try:
                build_port(value)
            except Exception as exc:  # any failure to build the port is the message
                found.append(checks.Error(f"settings.{SETTING}{label}: {exc}",
                                          id="waffo_portal.E004"))
    return found


def _check_mount(config: PortalConfig) -> list[checks.CheckMessage]:
    try:
        mounted = reverse("waffo_portal:portal", kwargs={"subpath": ""})
    except NoReverseMatch:
        return []  # not included in the URLconf (yet): nothing to compare
    if normalize_prefix(mounted) != normalize_prefix(config.base_path):
        return [checks.Error(
            f"the portal's URLs are included at {mounted!r} but BASE_URL's path is "
            f"{config.base_path or '/'!r}; links in emails would point elsewhere",
            id="waffo_portal.E005")]
    return []
