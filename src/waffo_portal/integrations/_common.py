"""Small helpers shared by the framework adapters (no framework imports here)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..core.config import PortalConfig
from ..core.exceptions import ConfigurationError


def missing_framework(module: str, framework: str, extra: str) -> ImportError:
    return ImportError(f'{module} needs {framework}: pip install "waffo-portal[{extra}]"')


def config_from_prefixed(values: Mapping[str, Any], prefix: str) -> PortalConfig:
    """``WAFFO_PORTAL_BASE_URL`` -> ``base_url``: every key with the prefix, lower-cased."""
    settings = {key[len(prefix):].lower(): value for key, value in values.items()
                if key.startswith(prefix)}
    return PortalConfig.from_mapping(settings)


def normalize_prefix(prefix: str) -> str:
    """``billing/`` and ``/billing`` -> ``/billing``; the root is ``""``."""
    stripped = prefix.strip("/")
    return f"/{stripped}" if stripped else ""


def check_mount(config: PortalConfig, mount: str, where: str) -> None:
    """The portal writes links from ``base_url``: they must point where it is mounted."""
    if normalize_prefix(mount) != normalize_prefix(config.base_path):
        raise ConfigurationError(
            f"the portal is mounted at {normalize_prefix(mount) or '/'!r} ({where}) but "
            f"base_url's path is {config.base_path or '/'!r}; make them agree",
            setting="base_url")


def relative_path(path: str, root: str) -> str:
    """``/billing/orders`` under ``/billing`` -> ``/orders``; the mount itself is ``/``."""
    if root and (path == root or path.startswith(root + "/")):
        path = path[len(root):]
    return path or "/"


def joined_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Response headers as a dict (repeated names joined); cookies travel separately."""
    found: dict[str, str] = {}
    for name, value in headers:
        found[name] = f"{found[name]}, {value}" if name in found else value
    return found
