"""System checks: ``manage.py check`` (and every ``runserver``/``migrate``) refuses an
invalid or insecure ``WAFFO_PORTAL`` before the first buyer sees an error page;
``manage.py check --deploy`` also warns about settings only fit for local development.

E001 invalid settings, E002 USE_TZ off, E003 no GATEWAY/PROVIDER, E004 a port that does
not build, E005 URL prefix differs from BASE_URL, E006 logo file missing, E007 URLs
included but the app not installed; W001 http BASE_URL, W002 COOKIE_SECURE off (deploy).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.urls import NoReverseMatch, URLPattern, reverse

from ...core.config import PortalConfig
from ...core.exceptions import ConfigurationError
from .._common import normalize_prefix
from .conf import PORT_KEYS, SETTING, build_port, portal_config, raw_settings


@checks.register("waffo_portal")
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        values = raw_settings()
        config = portal_config(values)
    except ConfigurationError as exc:  # one Error per problem, each with its own hint
        return [checks.Error(line, hint=_hint(setting), id="waffo_portal.E001")
                for setting, line in exc.problems]
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
    problems.extend(_check_logo(config))
    return problems


def _hint(setting: str) -> str | None:
    return f"Fix settings.{SETTING}[{setting.split('.')[0].upper()!r}]." if setting else None


@checks.register("waffo_portal", deploy=True)
def check_deploy(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        config = portal_config()
    except ConfigurationError:
        return []  # check_settings reports it (E001)
    found: list[checks.CheckMessage] = []
    if urlsplit(config.base_url).scheme != "https":
        found.append(checks.Warning(
            f"settings.{SETTING}['BASE_URL'] is {config.base_url!r}: login links and "
            "session cookies would travel unencrypted.",
            hint="Serve the portal over https and use an https:// BASE_URL.",
            id="waffo_portal.W001"))
    if not config.cookie_secure:
        found.append(checks.Warning(
            f"settings.{SETTING}['COOKIE_SECURE'] is False: browsers send the portal's "
            "session cookie over plain http.",
            hint="Remove COOKIE_SECURE (it defaults to True) outside local development.",
            id="waffo_portal.W002"))
    return found


def _check_logo(config: PortalConfig) -> list[checks.CheckMessage]:
    logo = config.branding.logo_path
    if not logo or Path(logo).is_file():
        return []
    return [checks.Error(
        f"settings.{SETTING}['BRANDING']['logo_path'] is {logo!r}, which is not a file; "
        "invoices embed the logo from this path.",
        hint="Give an absolute path (e.g. BASE_DIR / 'static' / 'logo.png') or remove it.",
        id="waffo_portal.E006")]


class PortalPattern(URLPattern):
    """The portal's catch-all URL; its own check (run by Django's URL checks, which
    also run when the app is not installed) says the app is missing."""

    def check(self) -> list[checks.CheckMessage]:
        found: list[checks.CheckMessage] = list(super().check())
        if not apps.is_installed("waffo_portal.integrations.django"):
            found.append(checks.Error(
                "the portal's URLs are included but 'waffo_portal.integrations.django' is "
                "not in INSTALLED_APPS (its tables, checks and settings are not loaded).",
                hint="Add 'waffo_portal.integrations.django' to INSTALLED_APPS.",
                id="waffo_portal.E007"))
        return found


def portal_pattern(pattern: URLPattern) -> PortalPattern:
    return PortalPattern(pattern.pattern, pattern.callback, pattern.default_args,
                         pattern.name)


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
