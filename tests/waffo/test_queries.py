"""The pinned GraphQL queries against the recorded schema: drift fails here, not live."""

from __future__ import annotations

import pytest
from graphql import parse, validate

from waffo_portal.providers.waffo import queries
from waffo_portal.testing.fake_waffo import SCHEMA


@pytest.mark.parametrize("query", queries.ALL, ids=lambda q: q.split("(")[0].split()[-1])
def test_each_pinned_query_is_valid_against_the_recorded_schema(query: str) -> None:
    assert validate(SCHEMA, parse(query)) == []


def test_a_field_the_schema_lacks_is_caught() -> None:
    drifted = queries.SUBSCRIPTION_ORDER.replace("canceledAt", "cancelAt")  # a real SDK slip
    errors = validate(SCHEMA, parse(drifted))
    assert [e.message for e in errors] == [
        "Cannot query field 'cancelAt' on type 'SubscriptionOrder'."
        " Did you mean 'canceledAt'?"]


def test_reads_never_select_card_numbers_or_tokens() -> None:
    text = " ".join(queries.ALL)
    assert "cardNumber" not in text and "token" not in text.lower()
    assert "last4" in text  # the most a portal may know of a card
