"""Issue 19, item 12: two buyers with the same normalised email resolve the same way every
time (the lowest id), whatever order they were saved in; shared by every store's tests."""

from __future__ import annotations

from collections.abc import Callable

from waffo_portal.core.models import Buyer
from waffo_portal.ports import Store


def check_email_ties_resolve_to_the_lowest_id(fresh_store: Callable[[], Store]) -> None:
    first, second = Buyer("b_1", "Ada@Example.com"), Buyer("b_2", " ada@example.COM")
    for order in ((first, second), (second, first)):
        store = fresh_store()
        for buyer in order:
            store.save_buyer(buyer)
        assert store.find_buyer_by_email("ada@example.com") == first
    # moving the lower id away leaves the other one findable
    store.save_buyer(Buyer("b_1", "someone@example.com"))
    assert store.find_buyer_by_email("ADA@example.com") == Buyer("b_2", " ada@example.COM")
