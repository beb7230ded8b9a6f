"""Issue 19, item 4: return targets a Location header can carry."""

from __future__ import annotations

import pytest

from waffo_portal.core.exceptions import ValidationError
from waffo_portal.core.redirects import (
    MAX_TARGET_LENGTH,
    check_return_url,
    redirect_location,
    safe_return_path,
)
from waffo_portal.testing.factories import test_config

CONFIG = test_config()  # https://shop.example/billing, shop.example allowed


@pytest.mark.parametrize(("target", "expected"), [
    ("/billing/中", "/billing/%E4%B8%AD"),
    ("/billing/%E4%B8%AD", "/billing/%E4%B8%AD"),  # already encoded: left alone
    ("/billing/orders?q=ü&x=1#é", "/billing/orders?q=%C3%BC&x=1#%C3%A9"),
    ('/billing/"<x>`', "/billing/%22%3Cx%3E%60"),
    ("/billing/orders?next=%2Fa", "/billing/orders?next=%2Fa"),
])
def test_next_targets_come_back_percent_encoded(target: str, expected: str) -> None:
    assert safe_return_path(CONFIG, target) == expected
    assert safe_return_path(CONFIG, expected) == expected  # idempotent


def test_absolute_targets_are_encoded_and_non_ascii_hosts_refused() -> None:
    assert (check_return_url(CONFIG, "https://shop.example/ä?q=ü", within_portal=False)
            == "https://shop.example/%C3%A4?q=%C3%BC")
    listed = test_config(allowed_return_hosts=("bücher.example",))
    with pytest.raises(ValidationError):
        check_return_url(listed, "https://bücher.example/", within_portal=False)


def test_a_target_that_grows_too_long_when_encoded_is_refused() -> None:
    target = "/billing/" + "中" * (MAX_TARGET_LENGTH // 4)
    assert len(target) <= MAX_TARGET_LENGTH
    assert safe_return_path(CONFIG, target) == "/billing/"


@pytest.mark.parametrize(("stored", "expected"), [
    ("/billing/中", "/billing/%E4%B8%AD"),  # a link stored before targets were encoded
    ("https://shop.example/ä", "https://shop.example/%C3%A4"),
    ("https://evil.example/", "/billing/"), ("", "/billing/"), (None, "/billing/"),
])
def test_the_location_after_login_is_always_ascii(stored: str | None, expected: str) -> None:
    location = redirect_location(CONFIG, stored)
    assert location == expected and location.isascii()
