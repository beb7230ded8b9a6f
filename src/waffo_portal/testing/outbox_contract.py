"""The Store contract's part for the mail outbox: enqueue, claim with a lease, mark.

``StoreContract`` includes it; it is separate only to keep each file to one subject.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from ..core.email import EmailMessage, OutboxEmail
from ..ports import Store
from . import sync_contract
from .factories import EPOCH

T0 = EPOCH
LEASE = T0 + timedelta(minutes=5)


def _mail(item_id: str, due: timedelta = timedelta(0)) -> OutboxEmail:
    message = EmailMessage("ada@example.com", f"Subject {item_id}", "text https://x/?t=1",
                           "<p>html</p>", (("X-Tag", "login"),))
    return OutboxEmail(item_id, message, T0, T0 + due)


class OutboxStoreContract:
    concurrency_workers = 8

    def test_an_enqueued_message_roundtrips(self, store: Store) -> None:
        store.enqueue_email(_mail("m1"))
        assert store.get_outbox_email("m1") == _mail("m1")
        assert store.get_outbox_email("missing") is None

    def test_claim_takes_due_mail_oldest_first_and_leases_it(self, store: Store) -> None:
        for item_id, due in (("m2", timedelta(seconds=2)), ("m1", timedelta(seconds=1)),
                             ("later", timedelta(hours=1))):
            store.enqueue_email(_mail(item_id, due))
        now = T0 + timedelta(minutes=1)
        claimed = store.claim_due_emails(now, 10, LEASE)
        assert [(c.id, c.attempts, c.next_attempt_at) for c in claimed] == [
            ("m1", 1, LEASE), ("m2", 1, LEASE)]
        assert claimed[0].message == _mail("m1").message
        assert store.claim_due_emails(now, 10, LEASE) == []  # leased
        stored = store.get_outbox_email("m1")
        assert stored is not None and stored.attempts == 1 and stored.next_attempt_at == LEASE
        # A sender that died: the lease runs out and the message is due again.
        again = store.claim_due_emails(LEASE, 1, LEASE + timedelta(minutes=5))
        assert [(c.id, c.attempts) for c in again] == [("m1", 2)]

    def test_sent_mail_is_never_claimed_and_loses_its_body(self, store: Store) -> None:
        store.enqueue_email(_mail("m1"))
        store.claim_due_emails(T0, 10, LEASE)
        store.mark_email_sent("m1", T0 + timedelta(seconds=1))
        stored = store.get_outbox_email("m1")
        assert stored is not None and stored.sent_at == T0 + timedelta(seconds=1)
        assert stored.message.text == "" and stored.message.html == ""
        assert stored.message.to == "ada@example.com"
        assert store.claim_due_emails(LEASE + timedelta(days=1), 10, LEASE) == []
        store.mark_email_failed("m1", T0, "late")  # a slow second sender: no effect
        assert store.claim_due_emails(LEASE + timedelta(days=1), 10, LEASE) == []

    def test_a_failure_reschedules_and_giving_up_ends_it(self, store: Store) -> None:
        store.enqueue_email(_mail("m1"))
        store.claim_due_emails(T0, 10, LEASE)
        retry = T0 + timedelta(minutes=2)
        store.mark_email_failed("m1", retry, "DeliveryFailed: refused")
        stored = store.get_outbox_email("m1")
        assert stored is not None and stored.last_error == "DeliveryFailed: refused"
        assert stored.next_attempt_at == retry and stored.message == _mail("m1").message
        assert store.claim_due_emails(retry - timedelta(seconds=1), 10, LEASE) == []
        assert [c.id for c in store.claim_due_emails(retry, 10, LEASE)] == ["m1"]
        store.mark_email_failed("m1", None, "gave up")
        stored = store.get_outbox_email("m1")
        assert stored is not None and stored.next_attempt_at is None and stored.sent_at is None
        assert stored.message.text == ""
        assert store.claim_due_emails(T0 + timedelta(days=30), 10, LEASE) == []

    def test_an_enqueue_rolls_back_with_its_transaction(self, store: Store) -> None:
        with pytest.raises(RuntimeError), store.atomic():
            store.enqueue_email(_mail("m1"))
            raise RuntimeError("boom")
        assert store.get_outbox_email("m1") is None

    def test_concurrent_claims_never_share_a_message(self, store: Store) -> None:
        for index in range(20):
            store.enqueue_email(_mail(f"m{index:02d}"))
        # looked up at call time: the Django tests wrap it to close thread connections
        results = sync_contract._race(self.concurrency_workers,
                        lambda: store.claim_due_emails(T0, 5, LEASE))
        claimed = [item.id for result in results if isinstance(result, list)
                   for item in result]
        assert len(claimed) == len(set(claimed)) == 20, results

    def test_pruning_removes_only_old_finished_mail(self, store: Store) -> None:
        for item_id in ("sent", "gave_up", "pending"):
            store.enqueue_email(_mail(item_id))
        store.claim_due_emails(T0, 10, LEASE)
        store.mark_email_sent("sent", T0)
        store.mark_email_failed("gave_up", None, "gave up")
        store.mark_email_failed("pending", T0 + timedelta(days=30), "retry")
        store.enqueue_email(OutboxEmail("recent", _mail("x").message, T0 + timedelta(days=2),
                                        None, 1, T0 + timedelta(days=2)))
        store.prune_outbox(T0 + timedelta(days=1))
        assert store.get_outbox_email("sent") is None
        assert store.get_outbox_email("gave_up") is None
        assert store.get_outbox_email("pending") is not None
        assert store.get_outbox_email("recent") is not None
