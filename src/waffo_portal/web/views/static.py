"""The stylesheet, the merchant's colours (generated, so no inline style is needed) and logo."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ...core.colors import MIN_CONTRAST, contrast, text_on
from ...core.config import Branding
from ..http import Response

if TYPE_CHECKING:
    from ..app import PortalWebApp

_LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp"}
_CSS = "text/css; charset=utf-8"
_SOFT = "#f4f6f8"  # portal.css --portal-soft, behind the header's links
_FALLBACK_FONTS = 'system-ui, -apple-system, "Segoe UI", "Noto Sans", sans-serif'


@cache
def _portal_css() -> bytes:
    return (resources.files("waffo_portal.web") / "static" / "portal.css").read_bytes()


def brand_css(branding: Branding) -> bytes:
    """The brand colour as custom properties, with a text colour that keeps 4.5:1 contrast,
    and the font and corner radius when the merchant set them (docs/theming.md).

    PortalConfig validates each value (``#rrggbb``, a font list, a length), so none can
    break out of its declaration.
    """
    color = branding.primary_color
    on_brand = text_on(color)
    # A link must read on white and on the header's soft grey strip: else a dark blue.
    link = color if contrast(color, _SOFT) >= MIN_CONTRAST else "#1c3d8f"
    declarations = [f"--brand: {color}", f"--on-brand: {on_brand}", f"--link: {link}"]
    if branding.font_family:
        declarations.append(f"--portal-font: {branding.font_family}, {_FALLBACK_FONTS}")
    if branding.corner_radius:
        declarations.append(f"--portal-radius: {branding.corner_radius}")
    return f":root {{ {'; '.join(declarations)}; }}\n".encode()


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
