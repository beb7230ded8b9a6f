"""Four processes take in one shuffled stream of webhook deliveries on PostgreSQL, with
duplicates and out-of-order revisions; the result equals a serial replay of the stream."""

from __future__ import annotations

import multiprocessing
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from waffo_portal.clock import FrozenClock
from waffo_portal.core.models import OrderStatus, Refund, SubscriptionStatus
from waffo_portal.core.sync import SyncRecord
from waffo_portal.mail.memory import MemoryMailer
from waffo_portal.payments import TestGateway
from waffo_portal.ports import Store
from waffo_portal.providers.signed_json import HEADER, SignedJsonWebhooks, delivery_body, sign
from waffo_portal.service import Portal
from waffo_portal.stores.sql import SqlStore, migrate
from waffo_portal.testing.factories import test_config
from waffo_portal.web import PortalWebApp, Request

from ..sql.conftest import POSTGRES_URL, schema_engine, temporary_schema
from .records import SEPT, buyer_record, eur, order_record, payment_record, subscription_record

pytestmark = pytest.mark.postgres

SECRET = "replay-secret-that-is-long-enough-000001"
NOW = datetime(2025, 10, 1, tzinfo=UTC)
PROCESSES = 4
BUYERS, SUBSCRIPTIONS_PER_BUYER, ORDERS_PER_BUYER = 180, 2, 4
STATUSES = list(SubscriptionStatus)
Delivery = tuple[str, bytes]


def _versions_of_a_buyer(rng: random.Random, n: int) -> list[tuple[str, list[SyncRecord]]]:
    """Every event the provider sent about buyer ``n``: several revisions of each object."""
    buyer_id = f"cus_{n}"
    events: list[tuple[str, list[SyncRecord]]] = []
    for revision in range(1, 4):
        events.append(("customer.updated", [buyer_record(
            buyer_id, revision, email=f"b{n}.r{revision}@example.com",
            locale=rng.choice(["en", "de", "ja", None]))]))
    for s in range(SUBSCRIPTIONS_PER_BUYER):
        for revision in range(1, rng.randint(4, 9)):
            record = subscription_record(
                f"sub_{n}_{s}", revision, buyer_id=buyer_id, status=rng.choice(STATUSES),
                start=SEPT + timedelta(days=30 * revision))
            events.append((f"subscription.r{revision}", [record]))
    for o in range(ORDERS_PER_BUYER):
        order_id = f"ord_{n}_{o}"
        pending = order_record(order_id, 1, buyer_id=buyer_id, status=OrderStatus.PENDING)
        done = order_record(order_id, 2, buyer_id=buyer_id)
        payment = attrs.evolve(payment_record(f"pay_{n}_{o}", 1, order_id=order_id),
                               payment=attrs.evolve(payment_record().payment, id=f"pay_{n}_{o}",
                                                    order_id=order_id, buyer_id=buyer_id))
        refunded = attrs.evolve(payment, revision=2, payment=attrs.evolve(
            payment.payment, refunds=(Refund(f"re_{n}_{o}", eur(100), SEPT),)))
        events += [("order.created", [pending]), ("order.completed", [done, payment]),
                   ("refund.succeeded", [refunded])]
    return events


def _stream(seed: int = 7) -> list[Delivery]:
    """Deliveries, shuffled, with one in eight sent twice (a provider's retry)."""
    rng = random.Random(seed)
    deliveries: list[Delivery] = []
    for n in range(BUYERS):
        for index, (event_type, records) in enumerate(_versions_of_a_buyer(rng, n)):
            delivery_id = f"evt_{n}_{index}"
            deliveries.append((delivery_id, delivery_body(delivery_id, event_type, records)))
    deliveries += rng.sample(deliveries, len(deliveries) // 8)
    rng.shuffle(deliveries)
    return deliveries


def _portal(store: Store) -> PortalWebApp:
    portal = Portal(test_config(), store=store, mailer=MemoryMailer(), gateway=TestGateway(),
                    webhooks=[SignedJsonWebhooks([SECRET])], clock=FrozenClock(NOW))
    return PortalWebApp(portal)


def _deliver(web: PortalWebApp, deliveries: list[Delivery]) -> Counter[str]:
    """Send each delivery as the provider would: again after a 409 or 5xx, until taken."""
    outcomes: Counter[str] = Counter()
    stamp = int(NOW.timestamp())
    for _delivery_id, body in deliveries:
        for _attempt in range(20):
            answer = web.handle(Request("POST", "/webhooks/portal", body=body, headers={
                HEADER: sign(body, SECRET, stamp), "Content-Type": "application/json"}))
            if answer.status == 200:
                outcomes[answer.body.decode().split('"status": "')[1].split('"')[0]] += 1
                break
            outcomes[f"retried after {answer.status}"] += 1
        else:
            outcomes["gave up"] += 1
    return outcomes


def _worker(url: str, schema: str, deliveries: list[Delivery]) -> Counter[str]:
    engine = schema_engine(url, schema, pool_size=2)
    try:
        return _deliver(_portal(SqlStore(engine)), deliveries)
    finally:
        engine.dispose()


def _state(store: Store) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for n in range(BUYERS):
        found[f"cus_{n}"] = store.get_buyer(f"cus_{n}")
        for s in range(SUBSCRIPTIONS_PER_BUYER):
            sub = store.get_subscription(f"sub_{n}_{s}")
            # ``version`` counts the writes, which depends on the arrival order.
            found[f"sub_{n}_{s}"] = attrs.evolve(sub, version=0) if sub else None
        for o in range(ORDERS_PER_BUYER):
            found[f"ord_{n}_{o}"] = (store.get_order(f"ord_{n}_{o}"),
                                     list(store.list_payments(f"ord_{n}_{o}")))
    return found


def test_four_processes_end_where_a_serial_replay_ends(tmp_path: Path) -> None:
    assert POSTGRES_URL
    stream = _stream()
    distinct = len({delivery_id for delivery_id, _ in stream})
    assert len(stream) >= 5_000 and len(stream) > distinct
    # The serial replay runs on SQLite: another store, one process, one delivery at a time.
    serial = SqlStore.from_url(f"sqlite:///{tmp_path / 'serial.db'}", migrate=True)
    serial_outcomes = _deliver(_portal(serial), stream)
    assert serial_outcomes == {"accepted": distinct, "duplicate": len(stream) - distinct}

    with temporary_schema("waffo_replay") as schema:
        engine = schema_engine(POSTGRES_URL, schema)
        migrate(engine)
        # Each process gets every fourth delivery: the duplicates of one delivery land in
        # different processes about three times in four, and race there.
        slices = [stream[i::PROCESSES] for i in range(PROCESSES)]
        with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
            results = pool.starmap(_worker, [(POSTGRES_URL, schema, s) for s in slices])
        outcomes = sum(results, Counter())
        assert outcomes["accepted"] == distinct
        assert outcomes["duplicate"] == len(stream) - distinct
        assert outcomes["gave up"] == 0
        concurrent = SqlStore(engine)
        assert _state(concurrent) == _state(serial)
        with engine.connect() as conn:
            inbox = conn.exec_driver_sql("SELECT count(*) FROM waffo_webhook_inbox").scalar()
        assert inbox == distinct
        engine.dispose()
