"""The Store contract's part for the sync API: revisions, the webhook inbox, on_commit.

``StoreContract`` includes it; it is separate only to keep each file to one subject.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

import attrs
import pytest

from ..ports import Store
from .factories import EPOCH, sample_plans

T0 = EPOCH


def _race(workers: int, job: Callable[[], object]) -> list[object]:
    """Run ``job`` in ``workers`` threads released at the same instant."""
    barrier = threading.Barrier(workers)
    results: list[object] = []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait()
        try:
            outcome: object = job()
        except Exception as exc:  # collected: the caller asserts on outcomes
            outcome = exc
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


class SyncStoreContract:
    concurrency_workers = 8

    def test_plans_keep_whether_they_are_offered(self, store: Store) -> None:
        plan = sample_plans()[0]
        store.save_plan(attrs.evolve(plan, selectable=False))
        assert store.get_plan(plan.id) == attrs.evolve(plan, selectable=False)
        assert [p.selectable for p in store.list_plans(plan.product_group)
                if p.id == plan.id] == [False]
        store.save_plan(plan)
        stored = store.get_plan(plan.id)
        assert stored is not None and stored.selectable

    def test_only_a_newer_revision_is_claimed(self, store: Store) -> None:
        with store.atomic():
            assert store.claim_revisions("order", {"o2": 5, "o1": 5}) == {"o1", "o2"}
        with store.atomic():
            assert store.claim_revisions("order", {"o1": 5, "o2": 4, "o3": 0}) == {"o3"}
            assert store.claim_revisions("order", {"o1": 6}) == {"o1"}
        assert store.claim_revisions("plan", {"o1": 1}) == {"o1"}  # kinds are separate
        assert store.claim_revisions("order", {}) == set()
        assert store.claim_revisions("order", {"o1": 6, "o2": 2**63 - 1}) == {"o2"}

    def test_a_rolled_back_claim_is_forgotten(self, store: Store) -> None:
        with pytest.raises(RuntimeError), store.atomic():
            assert store.claim_revisions("buyer", {"b1": 3}) == {"b1"}
            raise RuntimeError("boom")
        assert store.claim_revisions("buyer", {"b1": 3}) == {"b1"}

    def test_concurrent_claims_keep_the_highest_revision(self, store: Store) -> None:
        workers = self.concurrency_workers
        revisions = itertools.count(1)

        def claim() -> set[str]:
            revision = next(revisions)  # each thread its own revision, 1..workers
            with store.atomic():
                return store.claim_revisions("subscription", {"s1": revision, "s2": 1})

        results = _race(workers, claim)
        assert not [r for r in results if isinstance(r, Exception)]
        assert sum(1 for r in results if isinstance(r, set) and "s2" in r) == 1
        assert store.claim_revisions("subscription", {"s1": workers}) == set()
        assert store.claim_revisions("subscription", {"s1": workers + 1}) == {"s1"}

    def test_a_delivery_is_recorded_once(self, store: Store) -> None:
        assert store.record_delivery("waffo", "d1", "order.completed", T0) is True
        assert store.record_delivery("waffo", "d1", "order.completed", T0) is False
        assert store.record_delivery("other", "d1", "order.completed", T0) is True
        with pytest.raises(RuntimeError), store.atomic():
            assert store.record_delivery("waffo", "d2", "refund.succeeded", T0) is True
            raise RuntimeError("boom")
        assert store.record_delivery("waffo", "d2", "refund.succeeded", T0) is True

    def test_concurrent_deliveries_have_one_winner(self, store: Store) -> None:
        def deliver() -> bool:
            with store.atomic():
                return store.record_delivery("waffo", "same", "order.completed", T0)

        results = _race(self.concurrency_workers, deliver)
        assert sorted(results, key=str) == [False] * (self.concurrency_workers - 1) + [True]

    def test_on_commit_runs_after_commit_and_never_after_rollback(self, store: Store) -> None:
        ran: list[str] = []
        store.on_commit(lambda: ran.append("outside"))
        assert ran == ["outside"]
        with store.atomic():
            with store.atomic():
                store.on_commit(lambda: ran.append("nested"))
            store.on_commit(lambda: ran.append("outer"))
            assert ran == ["outside"]  # nothing before the outermost block commits
        assert ran == ["outside", "nested", "outer"]
        with pytest.raises(RuntimeError), store.atomic():
            store.on_commit(lambda: ran.append("rolled back"))
            raise RuntimeError("boom")
        assert ran == ["outside", "nested", "outer"]
        with store.atomic():
            store.on_commit(lambda: ran.append("after a rollback"))
        assert ran[-1] == "after a rollback"
