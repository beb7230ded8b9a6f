"""Which address a request came from, and how to bucket it for rate limits.

``X-Forwarded-For`` is written by whoever sent the request, so only the hops added by
proxies the merchant runs (``PortalConfig.trusted_proxy_count``) are believed: with N
trusted proxies, the client is the N-th address from the right. A hop there that is not
an IP address (``unknown``, a host name, garbage from a misconfigured chain) is not used:
each distinct string would be its own rate-limit bucket, so the nearest valid address to
its right (written by a proxy closer to us) stands in, else the peer address.
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
    for hop in hops[-trusted_proxy_count:]:
        address = _ip_of(hop)
        if address is not None:
            return address
    return remote_addr.strip()


def _ip_of(hop: str) -> str | None:
    """The address in one hop (``198.51.100.7``, ``[2001:db8::1]:443``, ``1.2.3.4:80``)."""
    candidates = [hop.strip("[]")]
    if hop.startswith("[") and "]:" in hop:
        candidates.append(hop[1:hop.index("]:")])
    elif hop.count(":") == 1:
        candidates.append(hop.partition(":")[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


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
