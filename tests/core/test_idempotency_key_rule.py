"""An idempotency key from code that breaks the rule states the rule to the developer
(tests/web/test_idempotency_key_form.py: the buyer's form keeps "The form expired")."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from waffo_portal import ValidationError
from waffo_portal.testing import PortalKit

RULE = "must be 16 to 128 characters of A-Z, a-z, 0-9, _ and -"
DOCS = Path(__file__).parents[2] / "docs" / "configuration.md"


@pytest.mark.parametrize(("key", "got"), [
    ("short-key", "got 9 characters"),
    ("k" * 129, "got 129 characters"),
    ("key with spaces 0001", "got the character ' '"),
    ("k" * 16 + "\n", "got the character '\\n'"),  # "$" would have let a newline through
    ("ключ-0000000000000001", "got the character 'к'"),
])
def test_change_plan_states_the_rule(kit: PortalKit, key: str, got: str) -> None:
    with pytest.raises(ValidationError) as caught:
        kit.portal.change_plan(kit.buyer.id, kit.subscription.id, kit.plans["pro"].id,
                               idempotency_key=key)
    assert str(caught.value) == f"idempotency_key: {RULE}; {got}"
    assert caught.value.errors == {"idempotency_key": f"{RULE}; {got}"}
    assert caught.value.keys == {"idempotency_key": "form.expired"}  # the buyer's text
    assert kit.gateway.calls == 0


def test_every_keyed_facade_call_states_the_rule(kit: PortalKit) -> None:
    portal, buyer, sub = kit.portal, kit.buyer.id, kit.subscription.id
    calls: list[Callable[[], object]] = [
        lambda: portal.cancel_subscription(buyer, sub, reason=None, comment="",
                                           idempotency_key="short"),
        lambda: portal.reactivate_subscription(buyer, sub, idempotency_key="short"),
        lambda: portal.undo_scheduled_change(buyer, sub, idempotency_key="short"),
        lambda: portal.pay_order(buyer, "order_x", idempotency_key="short"),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as caught:
            call()
        assert str(caught.value) == f"idempotency_key: {RULE}; got 5 characters"


def test_a_key_that_is_not_a_string_is_named(kit: PortalKit) -> None:
    with pytest.raises(ValidationError) as caught:
        kit.portal.reactivate_subscription(kit.buyer.id, kit.subscription.id,
                                           idempotency_key=12345)  # type: ignore[arg-type]
    assert str(caught.value) == f"idempotency_key: {RULE}; got int"


def test_a_valid_key_at_either_length_bound_is_accepted(kit: PortalKit) -> None:
    for key, plan in (("A" * 16, "pro"), ("z_-9" * 32, "team")):
        outcome = kit.portal.change_plan(kit.buyer.id, kit.subscription.id,
                                         kit.plans[plan].id, idempotency_key=key)
        assert outcome.kind == "upgrade"


def test_the_rule_is_documented() -> None:
    text = DOCS.read_text()
    assert "## Idempotency keys" in text
    assert re.search(r"16 to 128 characters of `A-Z`, `a-z`, `0-9`, `_` and `-`", text)
