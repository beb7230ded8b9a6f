"""Which address a request came from, and how to bucket it for rate limits.

``X-Forwarded-For`` is written by whoever sent the request, so only the hops added by
proxies the merchant runs (``PortalConfig.trusted_proxy_count``) are believed: with N
trusted proxies, the client is the N-th address from the right.
"""

from __future__ import annotations

import ipaddress

MAX_KEY_LENGTH = 64


def client_ip(remote_addr: str, forwarded_for: str | None, trusted_proxy_count: int) -> str:
    """The client's address: ``remote_addr`` unless trusted proxies stand in front."""
    if trusted_proxy_count <= 0 or not forwarded_for:
        return remote_addr.strip()
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    if len(hops) < trusted_proxy_count:
        # fewer hops than proxies: the header did not come through our proxies; distrust it
        return remote_addr.strip()
    return hops[-trusted_proxy_count]


def rate_limit_key(address: str) -> str:
    """The bucket for an address: IPv6 by /64, since one subscriber usually holds a whole
    /64 and could otherwise rotate through 2**64 buckets."""
    try:
        parsed = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return address.strip().lower()[:MAX_KEY_LENGTH] or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        mapped = parsed.ipv4_mapped
        if mapped is not None:
            return str(mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)
