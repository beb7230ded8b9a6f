"""Races that must be decided by PostgreSQL itself (several connections, no shared lock).

Loop them to gain confidence:
    for i in $(seq 20); do pytest tests/sql/test_postgres_races.py -q -p no:randomly || break; done
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from waffo_portal import (
    Conflict,
    EmailMessage,
    FrozenClock,
    MemoryMailer,
    Portal,
    SubscriptionStatus,
    TestGateway,
    ValidationError,
)
from waffo_portal.core.auth_models import LinkPurpose, LoginLink
from waffo_portal.stores.sql import SqlStore
from waffo_portal.testing import make_kit, sample_subscription
from waffo_portal.testing.factories import EPOCH, test_config
from waffo_portal.use_cases import outbox, renewals
from waffo_portal.use_cases.subscriptions import ChangeOutcome

pytestmark = pytest.mark.postgres


def race(workers: int, job: Callable[[int], object]) -> list[object]:
    """Run ``job(index)`` in ``workers`` threads released together; collect results/errors."""
    barrier = threading.Barrier(workers)
    results: list[object] = [None] * workers

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = job(index)
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _slow_gateway(gateway: TestGateway) -> None:
    gateway.before_charge = lambda: time.sleep(0.005)  # widen the charge window


def test_twenty_upgrades_with_one_key_charge_once(pg_store: SqlStore) -> None:
    kit = make_kit(store=pg_store)
    _slow_gateway(kit.gateway)
    sub, pro = kit.subscription, kit.plans["pro"]
    key = "upgrade-key-0123456789"
    results = race(20, lambda _: kit.portal.change_plan(
        kit.buyer.id, sub.id, pro.id, idempotency_key=key))
    assert len(kit.gateway.charges) == 1
    outcomes = [r for r in results if isinstance(r, ChangeOutcome)]
    assert outcomes, results
    assert {o.order_id for o in outcomes} == {outcomes[0].order_id}  # replays, not new orders
    assert all(isinstance(r, ChangeOutcome | Conflict) for r in results), results
    stored = pg_store.get_subscription(sub.id)
    assert stored is not None and stored.plan_id == pro.id and stored.version == 2
    assert len(pg_store.list_orders(kit.buyer.id, 50)) == 1


def test_twenty_upgrades_with_distinct_keys_charge_once(pg_store: SqlStore) -> None:
    kit = make_kit(store=pg_store)
    _slow_gateway(kit.gateway)
    sub, pro = kit.subscription, kit.plans["pro"]
    results = race(20, lambda i: kit.portal.change_plan(
        kit.buyer.id, sub.id, pro.id, idempotency_key=f"upgrade-key-{i:012d}"))
    assert len(kit.gateway.charges) == 1
    assert sum(isinstance(r, ChangeOutcome) for r in results) == 1
    # The losers either hit the lease, or came after the winner and see "already your plan".
    assert all(isinstance(r, ChangeOutcome | Conflict | ValidationError) for r in results)
    assert len(pg_store.list_orders(kit.buyer.id, 50)) == 1


def test_two_confirmations_of_one_link_consume_it_once(
        pg_store: SqlStore, worker_engines: Callable[[], Engine]) -> None:
    stores = [SqlStore(worker_engines()), SqlStore(worker_engines())]
    moment = EPOCH + timedelta(minutes=1)
    for index in range(25):
        link_id = f"link-{index}"
        pg_store.save_login_link(LoginLink(link_id, "b1", LinkPurpose.EMAIL_LOGIN, EPOCH,
                                           EPOCH + timedelta(minutes=15)))
        results = race(2, lambda i, link_id=link_id: stores[i].consume_login_link(  # type: ignore[misc]
            link_id, moment))
        assert sum(isinstance(r, LoginLink) for r in results) == 1, results
        assert sum(r is None for r in results) == 1, results


def test_four_apply_due_workers_transition_each_subscription_once(
        pg_store: SqlStore, worker_engines: Callable[[], Engine],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(renewals, "BATCH_SIZE", 5)  # many small batches interleave the workers
    kit = make_kit(store=pg_store)
    basic = kit.plans["basic"]
    for index in range(50):
        pg_store.save_subscription(sample_subscription(
            f"buyer_{index % 7}", basic, EPOCH, subscription_id=f"due_{index:02d}"))
    due_ids = {f"due_{index:02d}" for index in range(50)} | {kit.subscription.id}
    now = EPOCH + timedelta(days=35)
    gateways = [TestGateway() for _ in range(4)]
    portals = [Portal(test_config(), store=SqlStore(worker_engines()), mailer=MemoryMailer(),
                      gateway=gateway, clock=FrozenClock(now)) for gateway in gateways]
    for gateway in gateways:
        _slow_gateway(gateway)
    reports = race(4, lambda i: portals[i].apply_due(now))
    assert all(isinstance(r, renewals.DueReport) for r in reports), reports
    assert sum(r.total for r in reports if isinstance(r, renewals.DueReport)) == len(due_ids)
    charged = Counter(c.subscription_id for g in gateways for c in g.charges)
    assert charged == Counter(dict.fromkeys(due_ids, 1))
    audited = Counter(e.subject for e in pg_store.list_audit_events(limit=1000))
    assert audited == Counter({f"subscription:{sid}": 1 for sid in due_ids})
    for sid in due_ids:
        sub = pg_store.get_subscription(sid)
        assert sub is not None and sub.status is SubscriptionStatus.ACTIVE
        assert sub.version == 2 and sub.current_period_end > now
    assert not pg_store.lease_due_subscriptions(now, 100, "check", now + timedelta(minutes=1))


def test_four_mail_senders_send_each_message_once(
        pg_store: SqlStore, worker_engines: Callable[[], Engine]) -> None:
    kit = make_kit(store=pg_store)
    writer = Portal(test_config(mail_delivery="external"), store=pg_store,
                    mailer=MemoryMailer(), gateway=TestGateway(), clock=kit.clock)
    with pg_store.atomic():
        for index in range(60):
            outbox.enqueue(writer._deps, EmailMessage(f"b{index}@example.com", "s", "t"))
    mailer = MemoryMailer()
    portals = [Portal(test_config(mail_delivery="external"), store=SqlStore(worker_engines()),
                      mailer=mailer, gateway=TestGateway(), clock=kit.clock) for _ in range(4)]

    def drain(index: int) -> int:
        sent = 0
        while (report := portals[index].deliver_mail(limit=4)).total:
            sent += report.sent
        return sent

    results = race(4, drain)
    assert sum(r for r in results if isinstance(r, int)) == 60, results
    assert Counter(m.to for m in mailer.outbox) == Counter(
        {f"b{index}@example.com": 1 for index in range(60)})
