"""Read the one ``WAFFO_PORTAL`` settings dict into a config, ports and a web app.

Keys are case-insensitive (``BASE_URL`` or ``base_url``). Every key of
:class:`~waffo_portal.PortalConfig` is accepted; besides those, the ports:

* ``STORE`` (default: :class:`DjangoStore`, the ORM), ``MAILER`` (default:
  :class:`DjangoMailer`, ``django.core.mail``), ``GATEWAY`` (standalone mode) or
  ``PROVIDER`` (a billing provider of record; one of the two is required), ``CLOCK``,
  ``EVENTS`` -- each a dotted path or an object; a class or function is called without
  arguments to build the port;
* ``WEBHOOKS``: a list of webhook sources (each a dotted path or an object), answered at
  ``<mount>/webhooks/<source name>``.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import import_string

from ...core.config import PortalConfig
from ...core.exceptions import ConfigurationError
from ...service import Portal
from ...web import PortalWebApp

SETTING = "WAFFO_PORTAL"
PORT_KEYS = ("store", "mailer", "gateway", "provider", "webhooks", "clock", "events",
             "tax_policy")


def raw_settings() -> dict[str, Any]:
    values = getattr(settings, SETTING, None)
    if not isinstance(values, Mapping):
        raise ConfigurationError(f"settings.{SETTING} must be a dict", setting=SETTING)
    return {str(key).lower(): value for key, value in values.items()}


def portal_config(values: Mapping[str, Any] | None = None) -> PortalConfig:
    values = raw_settings() if values is None else values
    return PortalConfig.from_mapping({k: v for k, v in values.items() if k not in PORT_KEYS})


def build_port(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = import_string(value)
        except ImportError as exc:
            raise ConfigurationError(f"cannot import {value!r}: {exc}") from exc
    if inspect.isclass(value) or inspect.isfunction(value):
        value = value()
    return value


def build_portal() -> Portal:
    values = raw_settings()
    config = portal_config(values)
    if values.get("gateway") is None and values.get("provider") is None:
        raise ConfigurationError(f"settings.{SETTING}['GATEWAY'] (your payment provider's "
                                 "PaymentGateway) or ['PROVIDER'] (your billing provider of "
                                 "record) is required", setting="gateway")
    from .mail import DjangoMailer
    from .store import DjangoStore

    store = build_port(values.get("store") or DjangoStore)
    mailer = build_port(values.get("mailer") or DjangoMailer)
    webhooks = [build_port(source) for source in values.get("webhooks") or ()]
    return Portal(config, store=store, mailer=mailer, gateway=build_port(values.get("gateway")),
                  provider=build_port(values.get("provider")), webhooks=webhooks,
                  clock=build_port(values.get("clock")), events=build_port(values.get("events")),
                  tax_policy=build_port(values.get("tax_policy")))


def template_dirs() -> list[Path]:
    """Django's order: each backend's ``DIRS``, then every installed app's ``templates/``
    (in ``INSTALLED_APPS`` order) when a backend has ``APP_DIRS``; the portal looks for
    ``waffo_portal/<name>.html`` in each before its built-in templates."""
    found: list[Path] = []
    backends = settings.TEMPLATES
    for backend in backends:
        found.extend(Path(d) for d in backend.get("DIRS", ()))
    if any(backend.get("APP_DIRS") for backend in backends):
        found.extend(Path(app.path) / "templates" for app in apps.get_app_configs()
                     if (Path(app.path) / "templates").is_dir())
    return found


def build_web_app() -> PortalWebApp:
    return PortalWebApp(build_portal(), template_dirs=template_dirs())


def get_web_app() -> PortalWebApp:
    """The process's portal web app, built on first use (and rebuilt when settings change
    in tests); it lives on the AppConfig, not in a module global."""
    web: PortalWebApp = apps.get_app_config("waffo_portal").web_app()
    return web


def get_portal() -> Portal:
    """The configured :class:`Portal`, e.g. for ``create_login_link`` in your views."""
    return get_web_app().portal
