from __future__ import annotations

from waffo_portal import MemoryStore

from ..buyer_email_ties import check_email_ties_resolve_to_the_lowest_id


def test_memory_store_resolves_email_ties_by_id() -> None:
    check_email_ties_resolve_to_the_lowest_id(MemoryStore)
