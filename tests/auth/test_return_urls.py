"""Open-redirect rules for ``next`` and the merchant's ``return_url``; merchant links."""

from __future__ import annotations

import pytest

from waffo_portal import NotFound, TokenExpired, TokenUsed, ValidationError
from waffo_portal.core.auth_models import LinkPurpose
from waffo_portal.core.redirects import check_return_url, safe_return_path
from waffo_portal.testing import PortalKit
from waffo_portal.testing.factories import test_config

from .helpers import token_of

CONFIG = test_config(allowed_return_hosts=("app.example", "shop.example"))

HOSTILE = [
    "//evil.com", "//evil.com/billing/", "/\\evil.com", "\\\\evil.com", "/\t/evil.com",
    "/%2F%2Fevil.com", "/%5Cevil.com", "javascript:alert(1)", "JavaScript:alert(1)",
    " javascript:alert(1)", "https://evil.com", "https://evil.com/billing/",
    "http://app.example/", "https:evil.com", "https://app.example@evil.com/",
    "https://evil.com\\@app.example/", "https://app.example:8443/", "data:text/html,hi",
    "https://app.example.evil.com/", "/billing/\r\nSet-Cookie: x=1", "",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_fall_back_to_the_portal_home(target: str) -> None:
    assert safe_return_path(CONFIG, target) == "/billing/"
    with pytest.raises(ValidationError):
        check_return_url(CONFIG, target, within_portal=False)


@pytest.mark.parametrize("target", ["/billing/", "/billing/orders?page=2",
                                    "/billing/subscriptions/sub_1#plans",
                                    "https://app.example/settings", "https://shop.example/x"])
def test_safe_targets_are_kept(target: str) -> None:
    assert safe_return_path(CONFIG, target) == target


@pytest.mark.parametrize("target", ["/admin", "/billing-evil/", "/billing/../admin",
                                    "/billing/%2e%2e/admin"])
def test_next_stays_inside_the_portal(target: str) -> None:
    assert safe_return_path(CONFIG, target) == "/billing/"
    if ".." not in target and "%2e" not in target:
        # the merchant may send buyers anywhere on its own site
        assert check_return_url(CONFIG, target, within_portal=False) == target


def test_merchant_link_is_single_use_and_keeps_return_url(kit: PortalKit) -> None:
    url = kit.portal.create_login_link(kit.buyer.id, return_url="https://shop.example/app")
    assert url.startswith("https://shop.example/billing/login/confirm?token=")
    token = token_of(url)
    assert kit.portal.peek_login_link(token).purpose is LinkPurpose.MERCHANT_SESSION
    new = kit.portal.confirm_login(token)
    assert (new.buyer_id, new.return_to) == (kit.buyer.id, "https://shop.example/app")
    with pytest.raises(TokenUsed):
        kit.portal.confirm_login(token)
    actions = [e.action for e in kit.store.list_audit_events()]
    assert actions[-1] == "login.link_created" and "login.succeeded" in actions


def test_merchant_link_lives_merchant_link_lifetime(kit: PortalKit) -> None:
    token = token_of(kit.portal.create_login_link(kit.buyer.id, return_url="/billing/"))
    kit.clock.advance(kit.portal.config.merchant_link_lifetime)
    with pytest.raises(TokenExpired):
        kit.portal.confirm_login(token)


@pytest.mark.parametrize("return_url", ["//evil.com", "/\\evil.com", "javascript:alert(1)",
                                        "https://evil.com"])
def test_merchant_link_refuses_hostile_return_urls(kit: PortalKit, return_url: str) -> None:
    with pytest.raises(ValidationError) as info:
        kit.portal.create_login_link(kit.buyer.id, return_url=return_url)
    assert set(info.value.errors) == {"return_url"}
    assert kit.store.list_audit_events() == []


def test_merchant_link_for_unknown_buyer_is_not_found(kit: PortalKit) -> None:
    with pytest.raises(NotFound):
        kit.portal.create_login_link("nobody", return_url="/billing/")
