"""Response headers every portal answer carries, and the request-origin check.

Pages use no inline script or style at all, so the policy needs no nonce. The only
exception is the invoice document (the invoices package's standalone HTML with its own
``<style>``): it gets a policy that admits exactly that style block by hash.
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from ..core.config import PortalConfig
from .http import Request, Response

HSTS = "max-age=31536000"
_STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)


def content_security_policy(config: PortalConfig, *, style_hashes: tuple[str, ...] = (),
                            frame_ancestors: tuple[str, ...] | None = None,
                            form_targets: tuple[str, ...] = ()) -> str:
    """``form_targets``: the billing provider's origins. Browsers apply ``form-action``
    to the redirect after a form POST too, so the 303 to the provider's card or
    confirmation page needs its origin here."""
    styles = " ".join(["'self'", *(f"'sha256-{h}'" for h in style_hashes)])
    ancestors = " ".join(frame_ancestors or config.frame_ancestors)
    forms = " ".join(["'self'", *form_targets])
    return (f"default-src 'self'; script-src 'self'; style-src {styles}; "
            f"img-src 'self' data:; frame-ancestors {ancestors}; form-action {forms}; "
            "base-uri 'none'")


def framed_document_ancestors(config: PortalConfig) -> tuple[str, ...]:
    """``frame-ancestors`` of a document our own page frames (the invoice): the portal,
    plus whoever may frame the portal, since the browser checks every ancestor."""
    return ("'self'", *(s for s in config.frame_ancestors if s not in ("'none'", "'self'")))


def style_hashes(html: str) -> tuple[str, ...]:
    """CSP hashes of each ``<style>`` block of a trusted, server-rendered document."""
    return tuple(base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
                 for block in _STYLE_BLOCK.findall(html))


def secure_headers(response: Response, request: Request, config: PortalConfig, *,
                   cacheable: bool = False, token_page: bool = False,
                   form_targets: tuple[str, ...] = ()) -> Response:
    """Add the standard headers (a view's own values, e.g. a document's CSP, win)."""
    headers = [
        ("Content-Security-Policy",
         content_security_policy(config, form_targets=form_targets)),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer" if token_page else "same-origin"),
        ("Cache-Control", "public, max-age=3600" if cacheable else "no-store"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if not cacheable:
        headers.append(("Pragma", "no-cache"))
    if config.frame_ancestors == ("'none'",):
        headers.append(("X-Frame-Options", "DENY"))
    if request.scheme == "https":
        headers.append(("Strict-Transport-Security", HSTS))
    return response.with_headers(headers)


def portal_origin(config: PortalConfig) -> str:
    parts = urlsplit(config.base_url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def cross_site(request: Request, config: PortalConfig) -> bool:
    """True when the browser says the request came from another site.

    Browsers send ``Sec-Fetch-Site`` and ``Origin`` on form POSTs; a request with neither
    (old browsers, scripts) is judged by the CSRF token alone. ``Sec-Fetch-Site`` wins
    when present: under ``Referrer-Policy: no-referrer`` (our token pages) Chromium sends
    ``Origin: null`` even for a same-origin form.
    """
    fetch_site = request.headers.get("sec-fetch-site", "").strip().lower()
    if fetch_site:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("origin", "").strip().lower()
    return bool(origin) and origin != portal_origin(config)
