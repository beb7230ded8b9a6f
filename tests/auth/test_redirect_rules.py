"""The open-redirect rules at their edges: hosts, ports, query and fragment, lengths."""

from __future__ import annotations

import pytest

from waffo_portal.core.exceptions import ValidationError
from waffo_portal.core.redirects import MAX_TARGET_LENGTH, check_return_url, safe_return_path
from waffo_portal.testing.factories import test_config

CONFIG = test_config(allowed_return_hosts=())  # base_url https://shop.example/billing


def _refused(target: str, *, within_portal: bool = False,
             config: object = CONFIG) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        check_return_url(config, target, within_portal=within_portal)  # type: ignore[arg-type]
    return refused.value.keys


@pytest.mark.parametrize("target", [
    "https://shop.example/account", "https://shop.example", "https://SHOP.example/a",
])
def test_the_portals_own_host_is_allowed_without_listing_it(target: str) -> None:
    assert check_return_url(CONFIG, target, within_portal=False) == target


def test_the_own_host_compares_case_insensitively() -> None:
    mixed = test_config(base_url="https://Shop.Example/billing", allowed_return_hosts=())
    assert check_return_url(mixed, "https://shop.example/x", within_portal=False)


@pytest.mark.parametrize("target", [
    "https://shop.example:99999/x", "https://shop.example:port/x", "http://shop.example/x",
    "https://shop.example/ok?q=a\\b", "https://shop.example/ok#a b", "https://evil.example/",
    "https://shop.example.evil.example/", "ftp://shop.example/",
])
def test_unsafe_absolute_targets_are_refused(target: str) -> None:
    assert _refused(target) == {"return_url": "redirect.refused"}


def test_a_portal_without_a_base_path_accepts_any_safe_path_within_it() -> None:
    root = test_config(base_url="https://shop.example", allowed_return_hosts=())
    assert check_return_url(root, "/anything/here", within_portal=True) == "/anything/here"
    assert safe_return_path(root, "/orders") == "/orders"


@pytest.mark.parametrize("target", [
    "/billing/orders?next=/../../../elsewhere", "/billing/orders#/../../../elsewhere",
    "/billing/x?/../../../evil?y", "/billing/x#/../../../evil#y",
])
def test_query_and_fragment_do_not_count_as_path(target: str) -> None:
    assert check_return_url(CONFIG, target, within_portal=True) == target


@pytest.mark.parametrize("target", ["/billing/../elsewhere", "/elsewhere", "/billingx"])
def test_paths_outside_the_portal_are_refused_for_next(target: str) -> None:
    assert _refused(target, within_portal=True) == {"return_url": "redirect.refused"}
    assert safe_return_path(CONFIG, target) == "/billing/"


def test_the_length_bound_is_inclusive() -> None:
    longest = "/billing/" + "a" * (MAX_TARGET_LENGTH - len("/billing/"))
    assert check_return_url(CONFIG, longest, within_portal=True) == longest
    assert _refused(longest + "a", within_portal=True) == {"return_url": "redirect.refused"}
    assert _refused("") == {"return_url": "redirect.refused"}
    assert safe_return_path(CONFIG, None) == "/billing/"


def test_credentials_are_refused_even_for_a_listed_host() -> None:
    odd = test_config(allowed_return_hosts=("user@shop.example", "shop.example"))
    assert _refused("https://user@shop.example/", config=odd) == {
        "return_url": "redirect.refused"}
    assert check_return_url(odd, "https://shop.example/", within_portal=False)
