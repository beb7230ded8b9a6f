"""Client address for rate limits: trust only the configured proxies; bucket IPv6 by /64."""

from __future__ import annotations

import pytest

from waffo_portal.core.client_ip import client_ip, rate_limit_key
from waffo_portal.testing import PortalKit


@pytest.mark.parametrize(("remote", "header", "proxies", "expected"), [
    ("10.0.0.1", None, 0, "10.0.0.1"),
    ("10.0.0.1", "198.51.100.7", 0, "10.0.0.1"),  # no trusted proxy: header ignored
    ("10.0.0.1", "198.51.100.7", 1, "198.51.100.7"),
    ("10.0.0.1", "6.6.6.6, 198.51.100.7", 1, "198.51.100.7"),  # spoofed left part ignored
    ("10.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.2", 2, "198.51.100.7"),
    ("10.0.0.1", "198.51.100.7", 2, "10.0.0.1"),  # too few hops: distrust
])
def test_client_ip_believes_only_trusted_hops(remote: str, header: str | None, proxies: int,
                                              expected: str) -> None:
    assert client_ip(remote, header, proxies) == expected


def test_rate_limit_key_groups_ipv6_by_64() -> None:
    assert rate_limit_key("2001:db8:1:2::1") == rate_limit_key("2001:db8:1:2:ffff::9")
    assert rate_limit_key("2001:db8:1:2::1") != rate_limit_key("2001:db8:1:3::1")
    assert rate_limit_key("::ffff:198.51.100.7") == "198.51.100.7"
    assert rate_limit_key(" 198.51.100.7 ") == "198.51.100.7"
    assert rate_limit_key("") == "unknown"


def test_ipv6_neighbours_share_the_ip_limit(kit: PortalKit) -> None:
    limit = kit.portal.config.login_rate_per_ip
    for index in range(limit):
        kit.portal.request_login_link(f"p{index}@example.com", client_ip=f"2001:db8::{index:x}")
    kit.portal.request_login_link("ada@example.com", client_ip="2001:db8::ffff")
    assert kit.mailer.outbox == []
