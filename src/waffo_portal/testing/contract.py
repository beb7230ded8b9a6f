"""The Store contract: subclass ``StoreContract`` and provide a ``store`` fixture.

    class TestMyStore(StoreContract):
        @pytest.fixture
        def store(self) -> Store:
            return MyStore(...)

Every Store shipped with waffo-portal runs this suite; so should yours.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta
from decimal import Decimal

import attrs
import pytest

from ..core.auth_models import BuyerSession, LinkPurpose, LoginLink
from ..core.exceptions import Conflict, IdempotencyKeyReused
from ..core.models import (
    AuditEvent,
    BillingDetails,
    Buyer,
    Cancellation,
    CancellationReason,
    Payment,
    PaymentStatus,
    PendingChange,
    Refund,
    SubscriptionStatus,
    invoice_number,
)
from ..core.money import Money
from ..ports import ReadScope, Store, SubscriptionPlans
from .factories import EPOCH, sample_order, sample_plans, sample_subscription
from .outbox_contract import OutboxStoreContract
from .sync_contract import SyncStoreContract, _race

T0 = EPOCH


class StoreContract(SyncStoreContract, OutboxStoreContract):
    """Behaviour every Store MUST have."""

    concurrency_workers = 8

    @pytest.fixture
    def store(self) -> Store:
        raise NotImplementedError("provide a `store` fixture")

    # Buyers
    def test_buyer_roundtrip_and_email_lookup_is_normalised(self, store: Store) -> None:
        store.save_buyer(Buyer("b1", "Ada@Example.com", "fr", "Ada"))
        assert store.get_buyer("b1") == Buyer("b1", "Ada@Example.com", "fr", "Ada")
        found = store.find_buyer_by_email("  ada@EXAMPLE.com ")
        assert found is not None and found.id == "b1"
        assert store.find_buyer_by_email("nobody@example.com") is None
        assert store.get_buyer("missing") is None

    def test_email_change_moves_lookup(self, store: Store) -> None:
        store.save_buyer(Buyer("b1", "old@example.com"))
        store.save_buyer(Buyer("b1", "new@example.com"))
        assert store.find_buyer_by_email("old@example.com") is None
        assert store.find_buyer_by_email("new@example.com") == Buyer("b1", "new@example.com")

    def test_billing_details_replace(self, store: Store) -> None:
        store.save_buyer(Buyer("b1", "a@example.com"))
        assert store.get_billing_details("b1") is None
        first = BillingDetails("DE", "", "10115", "Ada GmbH", "DE136695976", True)
        store.save_billing_details("b1", first)
        second = attrs.evolve(first, postal_code="80331")
        store.save_billing_details("b1", second)
        assert store.get_billing_details("b1") == second

    # Plans
    def test_plans_by_group_cheapest_per_day_first(self, store: Store) -> None:
        for plan in reversed(sample_plans("EUR")):
            store.save_plan(plan)
        names = [p.name for p in store.list_plans("app-eur")]
        assert names == ["Basic", "Pro yearly", "Pro", "Team"]
        assert store.list_plans("nothing") == []
        assert store.get_plan("pro-eur") == sample_plans("EUR")[1]

    # Subscriptions
    def test_subscription_versions_detect_lost_updates(self, store: Store) -> None:
        plan = sample_plans()[0]
        saved = store.save_subscription(sample_subscription("b1", plan))
        assert saved.version == 1
        assert store.get_subscription("sub_1") == saved
        updated = store.save_subscription(attrs.evolve(saved, status=SubscriptionStatus.CANCELING))
        assert updated.version == 2
        with pytest.raises(Conflict):
            store.save_subscription(attrs.evolve(saved, status=SubscriptionStatus.PAST_DUE))
        with pytest.raises(Conflict):  # inserting an existing id is a conflict too
            store.save_subscription(sample_subscription("b1", plan))
        current = store.get_subscription("sub_1")
        assert current is not None and current.status is SubscriptionStatus.CANCELING

    def test_a_pending_change_is_kept_and_cleared(self, store: Store) -> None:
        plan = sample_plans()[0]
        saved = store.save_subscription(sample_subscription("b1", plan))
        pending = PendingChange("pro-usd", T0 + timedelta(hours=1), T0 + timedelta(hours=2))
        marked = store.save_subscription(attrs.evolve(saved, pending_change=pending))
        held = store.get_subscription("sub_1")
        assert held is not None and held.pending_change == pending
        store.save_subscription(attrs.evolve(marked, pending_change=None))
        cleared = store.get_subscription("sub_1")
        assert cleared is not None and cleared.pending_change is None

    def test_list_subscriptions_is_scoped_and_newest_first(self, store: Store) -> None:
        plan = sample_plans()[0]
        store.save_subscription(sample_subscription("b1", plan, subscription_id="s_old"))
        later = T0 + timedelta(days=3)
        store.save_subscription(sample_subscription("b1", plan, later, subscription_id="s_new"))
        store.save_subscription(sample_subscription("b2", plan, subscription_id="s_other"))
        assert [s.id for s in store.list_subscriptions("b1")] == ["s_new", "s_old"]

    def test_subscriptions_with_plans_match_the_separate_reads(self, store: Store) -> None:
        """What the subscriptions page reads: in one go if the store offers the optional
        SubscriptionPlans, else (as the portal then does) through the separate reads."""
        basic, pro = sample_plans()[:2]
        store.save_plan(basic)
        store.save_plan(pro)
        store.save_subscription(sample_subscription("b1", basic, subscription_id="s_old"))
        later = T0 + timedelta(days=3)
        store.save_subscription(sample_subscription("b1", pro, later, subscription_id="s_new"))
        gone = attrs.evolve(sample_plans("EUR")[0], id="deleted-plan")  # never saved
        store.save_subscription(sample_subscription("b1", gone, later - timedelta(days=1),
                                                     subscription_id="s_gone"))
        store.save_subscription(sample_subscription("b2", basic, subscription_id="s_other"))
        separate = [(s, store.get_plan(s.plan_id)) for s in store.list_subscriptions("b1")]
        if isinstance(store, SubscriptionPlans):
            assert list(store.list_subscriptions_with_plans("b1")) == separate
            assert list(store.list_subscriptions_with_plans("nobody")) == []
        assert [(s.id, p.id if p else None) for s, p in separate] == [
            ("s_new", pro.id), ("s_gone", None), ("s_old", basic.id)]

    def test_cancellations_in_a_date_range(self, store: Store) -> None:
        plan = sample_plans()[0]
        for day in (1, 5, 9):
            requested = T0 + timedelta(days=day)
            subscription = sample_subscription("b1", plan, subscription_id=f"c{day}")
            cancellation = Cancellation(CancellationReason.TOO_EXPENSIVE, f"day {day}",
                                        requested, subscription.current_period_end)
            store.save_subscription(attrs.evolve(subscription, cancellation=cancellation,
                                                 status=SubscriptionStatus.CANCELING))
        store.save_subscription(sample_subscription("b1", plan, subscription_id="kept"))
        found = store.list_cancellations(T0 + timedelta(days=1), T0 + timedelta(days=9))
        assert [s.id for s in found] == ["c1", "c5"]
        assert found[1].cancellation is not None
        assert found[1].cancellation.comment == "day 5"
        assert [s.id for s in store.list_cancellations(T0, T0 + timedelta(days=30), 1)] == ["c1"]

    def test_lease_is_exclusive_until_released_or_expired(self, store: Store) -> None:
        store.save_subscription(sample_subscription("b1", sample_plans()[0]))
        until = T0 + timedelta(minutes=2)
        assert store.lease_subscription("sub_1", "a", until, T0)
        assert not store.lease_subscription("sub_1", "b", until, T0)
        assert store.lease_subscription("sub_1", "a", until, T0)  # re-entrant for the holder
        store.release_subscription("sub_1", "b")  # not the holder: no effect
        assert not store.lease_subscription("sub_1", "b", until, T0)
        assert store.lease_subscription("sub_1", "b", until + timedelta(minutes=2), until)
        store.release_subscription("sub_1", "b")
        assert store.lease_subscription("sub_1", "c", until, T0)

    def test_concurrent_leases_have_one_winner(self, store: Store) -> None:
        store.save_subscription(sample_subscription("b1", sample_plans()[0]))
        counter = iter(range(1000))
        results = _race(self.concurrency_workers, lambda: store.lease_subscription(
            "sub_1", f"h{next(counter)}", T0 + timedelta(minutes=1), T0))
        assert sorted(results, key=str) == [False] * (self.concurrency_workers - 1) + [True]

    def test_lease_due_skips_leased_undue_and_ended(self, store: Store) -> None:
        plan = sample_plans()[0]
        for index in range(5):
            store.save_subscription(
                sample_subscription("b1", plan, T0, subscription_id=f"due{index}"))
        future = T0 + timedelta(days=40)
        store.save_subscription(sample_subscription("b1", plan, future, subscription_id="later"))
        store.save_subscription(sample_subscription(
            "b1", plan, T0, SubscriptionStatus.CANCELED, "gone"))
        now = T0 + timedelta(days=35)
        until = now + timedelta(minutes=5)
        assert store.lease_subscription("due0", "someone", until, now)
        first = store.lease_due_subscriptions(now, 3, "w1", until)
        assert len(first) == 3
        rest = store.lease_due_subscriptions(now, 10, "w2", until)
        ids = {s.id for s in first} | {s.id for s in rest}
        assert ids == {"due1", "due2", "due3", "due4"}
        assert not ({s.id for s in first} & {s.id for s in rest})

    # Orders and payments
    def test_orders_keyset_pagination_newest_first(self, store: Store) -> None:
        plan = sample_plans()[0]
        for index in range(7):
            store.save_order(sample_order("b1", plan, T0 + timedelta(hours=index), f"o{index}"))
        store.save_order(sample_order("b2", plan, T0, "foreign"))
        page1 = store.list_orders("b1", 3)
        assert [o.id for o in page1] == ["o6", "o5", "o4"]
        cursor = (page1[-1].created_at, page1[-1].id)
        assert [o.id for o in store.list_orders("b1", 3, cursor)] == ["o3", "o2", "o1"]
        assert [o.id for o in store.list_orders("b1", 3, (T0, "o0"))] == []
        order = store.get_order("o3")
        assert order == sample_order("b1", plan, T0 + timedelta(hours=3), "o3")
        assert order is not None and order.tax_rate == Decimal(0)

    def test_payments_roundtrip_with_refunds(self, store: Store) -> None:
        plan = sample_plans()[0]
        store.save_order(sample_order("b1", plan, T0, "o1"))
        refund = Refund("r1", Money(200, "USD"), T0 + timedelta(days=2), "partial")
        late = Payment("p2", "o1", "b1", Money(500, "USD"), PaymentStatus.SUCCEEDED,
                       T0 + timedelta(minutes=5), refunds=(refund,))
        early = Payment("p1", "o1", "b1", Money(500, "USD"), PaymentStatus.FAILED, T0,
                        failure_reason="insufficient_funds")
        store.save_payment(late)
        store.save_payment(early)
        assert list(store.list_payments("o1")) == [early, late]
        assert list(store.list_payments("o2")) == []

    # Invoices
    def test_invoice_numbers_are_gap_free_idempotent_and_per_prefix(self, store: Store) -> None:
        plan = sample_plans()[0]
        orders = [sample_order("b1", plan, T0, f"o{index}") for index in range(3)]
        numbers = [store.issue_invoice(o, "INV-", T0).number for o in orders]
        assert numbers == ["INV-000001", "INV-000002", "INV-000003"]
        assert store.issue_invoice(orders[0], "INV-", T0).number == "INV-000001"
        assert store.issue_invoice(sample_order("b1", plan, T0, "o9"), "R-", T0).number == (
            "R-000001")
        invoice = store.get_invoice("o1")
        assert invoice is not None and invoice.billing_details == orders[1].billing_details
        revised = attrs.evolve(invoice, revision=1, revised_at=T0 + timedelta(days=1))
        store.save_invoice(revised)
        assert store.get_invoice("o1") == revised
        assert store.get_invoice("nope") is None

    def test_concurrent_invoice_numbering_has_no_gaps(self, store: Store) -> None:
        plan = sample_plans()[0]
        counter = iter(range(1000))
        results = _race(self.concurrency_workers, lambda: store.issue_invoice(
            sample_order("b1", plan, T0, f"c{next(counter)}"), "X-", T0).number)
        expected = [invoice_number("X-", n) for n in range(1, self.concurrency_workers + 1)]
        assert sorted(map(str, results)) == expected

    # Idempotency
    def test_idempotency_lifecycle(self, store: Store) -> None:
        assert store.begin_idempotent("s", "k1", "fp", T0) is None
        with pytest.raises(Conflict):
            store.begin_idempotent("s", "k1", "fp", T0)  # still in progress
        with pytest.raises(IdempotencyKeyReused):
            store.begin_idempotent("s", "k1", "other", T0)
        store.finish_idempotent("s", "k1", '{"ok": 1}')
        assert store.begin_idempotent("s", "k1", "fp", T0) == '{"ok": 1}'
        assert store.begin_idempotent("other-scope", "k1", "fp", T0) is None
        assert store.begin_idempotent("s", "k2", "fp", T0) is None
        store.abandon_idempotent("s", "k2")
        assert store.begin_idempotent("s", "k2", "fp", T0) is None
        store.abandon_idempotent("s", "k1")  # finished keys are kept
        assert store.begin_idempotent("s", "k1", "fp", T0) == '{"ok": 1}'

    def test_concurrent_idempotent_begin_has_one_owner(self, store: Store) -> None:
        results = _race(self.concurrency_workers,
                        lambda: store.begin_idempotent("s", "race", "fp", T0))
        owners = [r for r in results if r is None]
        assert len(owners) == 1
        assert all(isinstance(r, Conflict) for r in results if r is not None)

    # Login links, sessions and rate limits
    def _link(self, link_id: str = "L1", buyer_id: str = "b1") -> LoginLink:
        return LoginLink(link_id, buyer_id, LinkPurpose.EMAIL_LOGIN, T0,
                         T0 + timedelta(minutes=15), "/billing/orders")

    def test_login_link_is_consumed_once(self, store: Store) -> None:
        store.save_login_link(self._link())
        assert store.get_login_link("L1") == self._link()
        used = store.consume_login_link("L1", T0 + timedelta(minutes=1))
        assert used is not None and used.used_at == T0 + timedelta(minutes=1)
        assert used.return_to == "/billing/orders"
        assert store.consume_login_link("L1", T0 + timedelta(minutes=2)) is None
        assert store.consume_login_link("missing", T0) is None

    def test_expired_or_revoked_links_are_refused(self, store: Store) -> None:
        store.save_login_link(self._link("old"))
        store.save_login_link(self._link("other", buyer_id="b2"))
        assert store.consume_login_link("old", T0 + timedelta(minutes=15)) is None
        store.save_login_link(self._link("L2"))
        store.revoke_login_links("b1", T0 + timedelta(minutes=1))
        assert store.consume_login_link("L2", T0 + timedelta(minutes=2)) is None
        assert store.consume_login_link("other", T0 + timedelta(minutes=2)) is not None

    def test_concurrent_consumption_has_one_winner(self, store: Store) -> None:
        store.save_login_link(self._link())
        results = _race(self.concurrency_workers,
                        lambda: store.consume_login_link("L1", T0 + timedelta(minutes=1)))
        assert sum(1 for r in results if isinstance(r, LoginLink)) == 1
        assert sum(1 for r in results if r is None) == self.concurrency_workers - 1

    def test_sessions_roundtrip_and_revoke(self, store: Store) -> None:
        session = BuyerSession("h1", "b1", T0, T0 + timedelta(minutes=30))
        store.save_session(session)
        assert store.get_session("h1") == session
        store.revoke_session("h1", T0 + timedelta(minutes=5))
        revoked = store.get_session("h1")
        assert revoked is not None and revoked.revoked_at == T0 + timedelta(minutes=5)
        assert not revoked.live(T0 + timedelta(minutes=6))
        assert store.get_session("unknown") is None

    def test_revoking_a_buyers_sessions_leaves_other_buyers_alone(self, store: Store) -> None:
        for id_hash, buyer in (("h1", "b1"), ("h2", "b1"), ("h3", "b2")):
            store.save_session(BuyerSession(id_hash, buyer, T0, T0 + timedelta(minutes=30)))
        store.revoke_session("h2", T0 + timedelta(minutes=1))
        store.revoke_buyer_sessions("b1", T0 + timedelta(minutes=5))
        first, second, other = (store.get_session(h) for h in ("h1", "h2", "h3"))
        assert first is not None and first.revoked_at == T0 + timedelta(minutes=5)
        assert second is not None and second.revoked_at == T0 + timedelta(minutes=1)  # kept
        assert other is not None and other.revoked_at is None

    def test_reads_in_a_read_scope_see_writes_committed_meanwhile(self, store: Store) -> None:
        """The portal reads a page view inside ``reading()`` when the Store offers it
        (ReadScope), and without a scope otherwise: either way, nothing stale."""
        scope = store.reading if isinstance(store, ReadScope) else nullcontext
        store.save_session(BuyerSession("h1", "b1", T0, T0 + timedelta(minutes=30)))
        with scope(), scope():
            assert store.get_session("h1") is not None
            # a logout in another request (thread, connection) is seen by the next read
            _race(1, lambda: store.revoke_session("h1", T0 + timedelta(minutes=1)))
            revoked = store.get_session("h1")
            assert revoked is not None and revoked.revoked_at is not None
            with store.atomic():  # still a transaction of its own
                store.save_buyer(Buyer("b1", "a@example.com"))
            assert store.get_buyer("b1") is not None
        with pytest.raises(RuntimeError), scope():
            store.get_buyer("b1")
            raise RuntimeError("boom")
        assert store.get_buyer("b1") is not None

    def test_attempt_counter_uses_a_sliding_window(self, store: Store) -> None:
        window = timedelta(minutes=15)
        counts = [store.count_attempt("email:a", window, T0 + timedelta(minutes=m))
                  for m in (0, 1, 2)]
        assert counts == [1, 2, 3]
        assert store.count_attempt("email:b", window, T0) == 1
        assert store.count_attempt("email:a", window, T0 + timedelta(minutes=16, seconds=30)) == 2

    def test_an_attempt_past_the_limit_is_not_recorded(self, store: Store) -> None:
        window = timedelta(minutes=15)
        assert [store.count_attempt("ip:x", window, T0, 2) for _ in range(4)] == [1, 2, 3, 3]
        # Only the two recorded attempts count once the limit is lifted.
        assert store.count_attempt("ip:x", window, T0 + timedelta(minutes=1)) == 3

    # Audit and transactions
    def test_audit_events_newest_first(self, store: Store) -> None:
        for index in range(3):
            store.add_audit_event(AuditEvent(
                f"e{index}", T0 + timedelta(seconds=index), "system", "test", f"s:{index % 2}",
                {"a": "1"}, {"a": "2"}, Money(100, "JPY"), "key"))
        assert [e.id for e in store.list_audit_events()] == ["e2", "e1", "e0"]
        assert [e.id for e in store.list_audit_events("s:0")] == ["e2", "e0"]
        assert store.list_audit_events(limit=1)[0].amount == Money(100, "JPY")

    def test_atomic_rolls_back_every_write(self, store: Store) -> None:
        plan = sample_plans()[0]
        saved = store.save_subscription(sample_subscription("b1", plan))
        with pytest.raises(RuntimeError), store.atomic():
            store.save_subscription(attrs.evolve(saved, status=SubscriptionStatus.CANCELING))
            store.save_order(sample_order("b1", plan, T0, "o-rolled-back"))
            raise RuntimeError("boom")
        current = store.get_subscription("sub_1")
        assert current == saved
        assert store.get_order("o-rolled-back") is None
        with store.atomic(), store.atomic():
            store.save_order(sample_order("b1", plan, T0, "o-kept"))
        assert store.get_order("o-kept") is not None
