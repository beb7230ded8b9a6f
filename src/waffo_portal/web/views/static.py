"""The stylesheet, the merchant's colours (generated, so no inline style is needed) and logo."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ...core.config import Branding
from ..http import Response

if TYPE_CHECKING:
    from ..app import PortalWebApp

_LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp"}
_CSS = "text/css; charset=utf-8"


@cache
def _portal_css() -> bytes:
    return (resources.files("waffo_portal.web") / "static" / "portal.css").read_bytes()


def _luminance(hex_color: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def brand_css(branding: Branding) -> bytes:
    """The brand colour as custom properties, with a text colour that keeps 4.5:1 contrast.

    ``primary_color`` is validated as ``#rrggbb`` by PortalConfig, so it cannot break out
    of the declaration.
    """
    color = branding.primary_color
    white_contrast = 1.05 / (_luminance(color) + 0.05)
    on_brand = "#ffffff" if white_contrast >= 4.5 else "#111111"
    # A link colour must read on white: fall back to a dark blue for light brand colours.
    link = color if white_contrast >= 4.5 else "#1c3d8f"
    return (f":root {{ --brand: {color}; --on-brand: {on_brand}; --link: {link}; }}\n").encode()


def asset(app: PortalWebApp, name: str) -> Response:
    branding = app.portal.config.branding
    if name == "portal.css":
        return Response(200, (("Content-Type", _CSS),), _portal_css())
    if name == "brand.css":
        return Response(200, (("Content-Type", _CSS),), brand_css(branding))
    if name == "logo" and branding.logo_path:
        path = Path(branding.logo_path)
        mime = _LOGO_TYPES.get(path.suffix.lower())
        if mime is not None and path.is_file():
            return Response(200, (("Content-Type", mime),), path.read_bytes())
    return Response(404, (("Content-Type", "text/plain; charset=utf-8"),), b"Not Found\n")
