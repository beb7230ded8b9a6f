"""Where the portal may send a buyer: open-redirect rules for ``next`` and ``return_url``.

Browsers are lenient in ways that turn innocent-looking paths into other hosts: ``//evil``
and ``/\\evil`` are protocol-relative, tabs and newlines are stripped before parsing,
``%2e%2e`` is a dot segment. So a target is accepted only when it is unambiguous:

* a path starting with exactly one ``/``, without backslashes, whitespace or control
  characters (also once percent-decoded), or
* an absolute ``https`` URL whose host (with port, if any) is the portal's own or listed in
  ``PortalConfig.allowed_return_hosts``, without credentials.

An accepted target comes back percent-encoded (``/billing/中`` -> ``/billing/%E4%B8%AD``):
it ends up in a ``Location`` header, which carries Latin-1 at best (WSGI drops the
connection, ASGI raises, Django MIME-encodes it), and the link it is stored with has been
used up by then.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote, unquote, urlsplit

from .config import PortalConfig
from .exceptions import ValidationError

MAX_TARGET_LENGTH = 2048
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")  # controls, whitespace, backslash
_REFUSED = "redirect.refused"
# Kept as they are when encoding: URL delimiters and existing %-escapes (so it is idempotent).
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"


def default_page(config: PortalConfig) -> str:
    return f"{config.base_path}/"


def _own_host(config: PortalConfig) -> str:
    return urlsplit(config.base_url).netloc.lower()


def _path_ok(path: str) -> bool:
    decoded = unquote(path)
    return (path.startswith("/") and not path.startswith("//")
            and not decoded.startswith("//")
            and _UNSAFE.search(path) is None and _UNSAFE.search(decoded) is None)


def _under_portal(config: PortalConfig, path: str) -> bool:
    """The path, with dot segments resolved as a browser would, lies inside the portal."""
    base = config.base_path
    if not base:
        return True
    resolved = posixpath.normpath(unquote(path.split("?", 1)[0].split("#", 1)[0]))
    return resolved == base or resolved.startswith(base + "/")


def _absolute_ok(config: PortalConfig, target: str) -> bool:
    try:
        parts = urlsplit(target)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    if (parts.scheme.lower() != "https" or not parts.hostname or "@" in parts.netloc
            or not parts.netloc.isascii()):  # hosts are listed (and sent) in ASCII form
        return False
    if _UNSAFE.search(target) is not None or not _path_ok(parts.path or "/"):
        return False
    host = parts.netloc.lower()
    return host == _own_host(config) or host in {h.lower() for h in config.allowed_return_hosts}


def check_return_url(config: PortalConfig, target: str, *, within_portal: bool) -> str:
    """``target`` if it is a safe place to send the buyer, else ValidationError.

    ``within_portal`` limits relative paths to the portal's own pages (for ``next``);
    the merchant's ``return_url`` may point anywhere on the same site.
    """
    if not target or len(target) > MAX_TARGET_LENGTH:
        raise ValidationError({"return_url": _REFUSED})
    if target.startswith("/"):
        if _path_ok(target) and (not within_portal or _under_portal(config, target)):
            return _encoded(target)
        raise ValidationError({"return_url": _REFUSED})
    if _absolute_ok(config, target):
        return _encoded(target)
    raise ValidationError({"return_url": _REFUSED})


def _encoded(target: str) -> str:
    """Percent-encode what a ``Location`` header cannot carry; refuse what grows too long."""
    encoded = quote(target, safe=_URL_SAFE)
    if len(encoded) > MAX_TARGET_LENGTH:
        raise ValidationError({"return_url": _REFUSED})
    return encoded


def safe_return_path(config: PortalConfig, target: str | None) -> str:
    """Where to send the buyer next: ``target`` if safe and inside the portal (or an
    allow-listed https URL), else the portal's default page. Never raises."""
    try:
        return check_return_url(config, target or "", within_portal=True)
    except ValidationError:
        return default_page(config)


def redirect_location(config: PortalConfig, target: str | None) -> str:
    """A ``Location`` for a stored target (a login link's ``return_to``), checked again at
    the last moment: never raises and always ASCII, because the link is already used up
    when it is sent (a link stored before targets were encoded gets encoded here)."""
    try:
        return check_return_url(config, target or "", within_portal=False)
    except ValidationError:
        return default_page(config)
