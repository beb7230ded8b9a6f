"""The sync API against a raw COPY of the same rows, and webhook intake, on PostgreSQL.

    python benchmarks/sync.py [--url postgresql://...] [--scale 1.0] [--deliveries 5000]

1. Backfill of 100,000 buyers, 100,000 subscriptions and 1,000,000 orders (times
   ``--scale``): once through ``Portal.sync.apply`` (validation, revision claims, upserts,
   an invoice number for each paid order; batches of 5,000), once as a raw ``COPY`` of
   the very rows the sync API stores (invoices included), each into its own fresh
   schema. Prints both times, rows/s and the ratio (goal: <= 2x).
2. Webhook intake: signed deliveries (one subscription record each) through the
   framework-neutral web app, in one process (p50/p99 per delivery, deliveries/s) and in
   4 processes at once (deliveries/s).

Timings are printed, never asserted. The records are built before the clock starts, so
both sides of the backfill start from the same objects (the COPY side from the rows).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, text

from waffo_portal.clock import FrozenClock
from waffo_portal.core.models import (
    BillingDetails,
    BillingPeriod,
    Buyer,
    Invoice,
    Order,
    OrderKind,
    OrderStatus,
    PaymentMethod,
    Plan,
    Subscription,
    SubscriptionStatus,
    invoice_number,
)
from waffo_portal.core.money import Money
from waffo_portal.core.sync import (
    BuyerRecord,
    OrderLine,
    OrderRecord,
    PlanRecord,
    SubscriptionRecord,
    SyncRecord,
)
from waffo_portal.mail.memory import MemoryMailer
from waffo_portal.payments import TestGateway
from waffo_portal.providers.signed_json import HEADER, SignedJsonWebhooks, delivery_body, sign
from waffo_portal.service import Portal
from waffo_portal.stores import codec
from waffo_portal.stores.sql import SqlStore, build_engine, migrate
from waffo_portal.testing.factories import test_config
from waffo_portal.web import PortalWebApp, Request

BUYERS, SUBSCRIPTIONS, ORDERS = 100_000, 100_000, 1_000_000
BATCH = 5_000
START = datetime(2024, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 1, 1, tzinfo=UTC)
SECRET = "benchmark-webhook-secret-0123456789abcdef"  # noqa: S105  (a throw-away local key)
PRO = Plan("pro", "Pro", "app", Money(2380, "EUR"), BillingPeriod.MONTHLY)
DETAILS = BillingDetails(country="DE", postal_code="10115")


@contextmanager
def schema(url: str, name: str) -> Iterator[Engine]:
    admin = build_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    engine = build_engine(url, connect_args={"options": f"-csearch_path={name}"})
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def records(buyers: int, subscriptions: int, orders: int) -> list[SyncRecord]:
    """Buyers, then subscriptions, then orders (net 20.00 + 19 % VAT), revision 1."""
    made: list[SyncRecord] = [PlanRecord(PRO, 1)]
    for i in range(buyers):
        made.append(BuyerRecord(Buyer(f"b{i:07d}", f"buyer{i}@example.com", "de",
                                      f"Buyer {i}"), 1))
    for i in range(subscriptions):
        start = START + timedelta(minutes=i)
        made.append(SubscriptionRecord(Subscription(
            f"s{i:07d}", f"b{i % buyers:07d}", "pro", SubscriptionStatus.ACTIVE, start,
            start + timedelta(days=30), start, payment_method=PaymentMethod("visa", "4242")), 1))
    net, tax = Money(2000, "EUR"), Money(380, "EUR")
    for n in range(orders):
        created = START + timedelta(seconds=n)
        made.append(OrderRecord(
            id=f"o{n:08d}", buyer_id=f"b{n % buyers:07d}", kind=OrderKind.SUBSCRIPTION,
            status=OrderStatus.COMPLETED, currency="EUR",
            lines=(OrderLine("Pro", 1, net, net, "pro"),), subtotal_net=net, tax=tax,
            total_gross=net + tax, tax_rate_percent=Decimal(19), billing_details=DETAILS,
            created_at=created, revision=1, subscription_id=f"s{n % subscriptions:07d}"))
    return made


def _copy_rows(engine: Engine, table: str, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    raw = engine.raw_connection()
    try:
        cur = raw.driver_connection.cursor()  # type: ignore[union-attr]
        with cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        raw.commit()
    finally:
        raw.close()


def _json_columns(values: dict[str, Any]) -> dict[str, Any]:
    return {k: json.dumps(v) if isinstance(v, (list, dict)) else v for k, v in values.items()}


def copy_rows(made: Sequence[SyncRecord]) -> dict[str, list[dict[str, Any]]]:
    """The rows the sync API stores for ``made``, ready for COPY."""
    rows: dict[str, list[dict[str, Any]]] = {"waffo_plans": [], "waffo_buyers": [],
                                              "waffo_subscriptions": [], "waffo_orders": [],
                                              "waffo_invoices": []}
    charged: list[Order] = []
    for record in made:
        if isinstance(record, PlanRecord):
            rows["waffo_plans"].append(codec.plan_values(record.plan))
        elif isinstance(record, BuyerRecord):
            rows["waffo_buyers"].append(codec.buyer_values(record.buyer))
        elif isinstance(record, SubscriptionRecord):
            rows["waffo_subscriptions"].append(
                {**codec.subscription_values(record.subscription), "version": 1})
        elif isinstance(record, OrderRecord):
            order = record.to_order()
            rows["waffo_orders"].append(_json_columns(codec.order_values(order)))
            if order.status in (OrderStatus.COMPLETED, OrderStatus.REFUNDED):
                charged.append(order)
    # The sync API numbers every charged order it brings in (its invoice row, dated when
    # the order was made): the baseline stores the same rows.
    for number, order in enumerate(sorted(charged, key=lambda o: (o.created_at, o.id)), 1):
        rows["waffo_invoices"].append(_json_columns(codec.invoice_values(Invoice(
            invoice_number("INV-", number), order.id, order.buyer_id, order.created_at,
            order.billing_details))))
    return rows


def _portal(store: SqlStore) -> Portal:
    return Portal(test_config(), store=store, mailer=MemoryMailer(), gateway=TestGateway(),
                  webhooks=[SignedJsonWebhooks([SECRET])], clock=FrozenClock(NOW))


def backfill(url: str, scale: float) -> None:
    counts = (int(BUYERS * scale), int(SUBSCRIPTIONS * scale), int(ORDERS * scale))
    made = records(*counts)
    rows = copy_rows(made)
    total = sum(counts) + 1
    print(f"backfill: {counts[0]:,} buyers, {counts[1]:,} subscriptions, {counts[2]:,} orders")
    with schema(url, "waffo_bench_copy") as engine:
        began = time.perf_counter()
        for table, table_rows in rows.items():
            _copy_rows(engine, table, table_rows)
        copy_s = time.perf_counter() - began
    with schema(url, "waffo_bench_sync") as engine:
        portal = _portal(SqlStore(engine))
        began = time.perf_counter()
        report = portal.sync.apply(made, batch_size=BATCH)
        sync_s = time.perf_counter() - began
        assert report.total_written == total, report
        began = time.perf_counter()
        again = portal.sync.apply(made, batch_size=BATCH)
        rerun_s = time.perf_counter() - began
        assert again.total_written == 0 and again.total_unchanged == total
    print(f"  raw COPY of the same rows   {copy_s:8.1f} s  {total / copy_s:10,.0f} rows/s")
    print(f"  Portal.sync.apply           {sync_s:8.1f} s  {total / sync_s:10,.0f} rows/s")
    print(f"  re-run (all unchanged)      {rerun_s:8.1f} s  {total / rerun_s:10,.0f} rows/s")
    print(f"  ratio sync / COPY: {sync_s / copy_s:.2f}x   (goal <= 2x)")


def deliveries(count: int, offset: int = 0) -> list[bytes]:
    bodies = []
    for i in range(offset, offset + count):
        start = START + timedelta(minutes=i)
        record = SubscriptionRecord(Subscription(
            f"w{i:07d}", f"b{i:07d}", "pro", SubscriptionStatus.ACTIVE, start,
            start + timedelta(days=30), start), 1)
        bodies.append(delivery_body(f"evt_{i}", "subscription.updated", [record]))
    return bodies


def _post(web: PortalWebApp, body: bytes, stamp: int) -> None:
    answer = web.handle(Request("POST", "/webhooks/portal", body=body, headers={
        HEADER: sign(body, SECRET, stamp), "Content-Type": "application/json"}))
    assert answer.status == 200, answer.body


def _intake_worker(url: str, name: str, bodies: list[bytes]) -> float:
    engine = build_engine(url, connect_args={"options": f"-csearch_path={name}"})
    web = PortalWebApp(_portal(SqlStore(engine)))
    stamp = int(NOW.timestamp())
    began = time.perf_counter()
    for body in bodies:
        _post(web, body, stamp)
    elapsed = time.perf_counter() - began
    engine.dispose()
    return elapsed


def _commit_floor(engine: Engine, count: int) -> float:
    """What any durable intake pays: one small INSERT and a COMMIT, on the raw driver."""
    raw = engine.raw_connection()
    samples = []
    try:
        cursor = raw.cursor()
        for i in range(count):
            began = time.perf_counter()
            cursor.execute("INSERT INTO waffo_webhook_inbox (source, delivery_id, event_type, "
                           "received_at) VALUES ('floor', %s, 'x', now())", (f"floor_{i}",))
            raw.commit()
            samples.append((time.perf_counter() - began) * 1000)
    finally:
        raw.close()
    return statistics.median(samples)


def intake(url: str, count: int) -> None:
    with schema(url, "waffo_bench_intake") as engine:
        web = PortalWebApp(_portal(SqlStore(engine)))
        stamp = int(NOW.timestamp())
        for body in deliveries(50, offset=10 * count):  # warm up
            _post(web, body, stamp)
        samples = []
        for body in deliveries(count):
            began = time.perf_counter()
            _post(web, body, stamp)
            samples.append((time.perf_counter() - began) * 1000)
        samples.sort()
        p99 = samples[int(len(samples) * 0.99)]
        total_s = sum(samples) / 1000
        print(f"webhook intake, 1 process: {count:,} deliveries, {count / total_s:,.0f}/s, "
              f"p50 {statistics.median(samples):.2f} ms, p99 {p99:.2f} ms")
        floor = _commit_floor(engine, count)
        print(f"  floor (raw INSERT of one inbox row + COMMIT per delivery): "
              f"p50 {floor:.2f} ms; intake / floor: {statistics.median(samples) / floor:.2f}x")
        per = [deliveries(count // 4, offset=count * (2 + i)) for i in range(4)]
        began = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(4) as pool:
            pool.starmap(_intake_worker, [(url, "waffo_bench_intake", p) for p in per])
        wall = time.perf_counter() - began
        print(f"webhook intake, 4 processes: {sum(map(len, per)):,} deliveries in {wall:.1f} s "
              f"(with process start-up), {sum(map(len, per)) / wall:,.0f}/s")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=os.environ.get(
        "WAFFO_BENCH_POSTGRES_URL", os.environ.get("WAFFO_TEST_POSTGRES_URL")))
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--deliveries", type=int, default=5_000)
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("pass --url or set WAFFO_BENCH_POSTGRES_URL")
    backfill(args.url, args.scale)
    intake(args.url, args.deliveries)


if __name__ == "__main__":
    main()
