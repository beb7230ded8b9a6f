"""Issue 19, item 12: an ``X-Forwarded-For`` hop that is not an address opens no bucket."""

from __future__ import annotations

import pytest

from waffo_portal.core.client_ip import client_ip, rate_limit_key


@pytest.mark.parametrize(("header", "proxies", "expected"), [
    ("unknown", 1, "10.0.0.1"),
    ("6.6.6.6, garbage-1", 1, "10.0.0.1"),
    ("junk, 198.51.100.7", 2, "198.51.100.7"),  # the nearest valid hop to its right
    ("198.51.100.7, not-an-ip, 10.0.0.2", 2, "10.0.0.2"),
    ("198.51.100.7:4711", 1, "198.51.100.7"),
    ("[2001:db8::1]:443", 1, "2001:db8::1"),
    ("[2001:db8::1]", 1, "2001:db8::1"),
    ("2001:DB8::1", 1, "2001:db8::1"),
])
def test_a_hop_that_is_not_an_address_is_not_believed(header: str, proxies: int,
                                                      expected: str) -> None:
    assert client_ip("10.0.0.1", header, proxies) == expected


def test_junk_hops_share_the_peers_bucket() -> None:
    keys = {rate_limit_key(client_ip("10.0.0.1", f"junk-{index}", 1)) for index in range(50)}
    assert keys == {"10.0.0.1"}
