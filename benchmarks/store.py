"""SqlStore read costs on PostgreSQL at scale: 100,000 buyers, 1,000,000 orders.

    python benchmarks/store.py [--url postgresql://...] [--keep]

Seeds a dedicated schema with COPY, then prints p50/p99 latencies (ms) of the
portal's hot reads through the real SqlStore API, and the p50 ratio of a buyer
with 10,000 orders to a buyer with 10: keyset pagination should keep it near 1.
Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text

from waffo_portal.stores.sql import SqlStore, build_engine, migrate

SCHEMA = "waffo_bench"
BUYERS = 100_000
ORDERS = 1_000_000
HEAVY_ORDERS = 10_000  # buyer b0000000; every other buyer has 9 or 10
DUE_EVERY = 10  # one subscription in ten is past its period end
START = datetime(2020, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def buyer_id(index: int) -> str:
    return f"b{index:07d}"


@contextmanager
def bench_schema(url: str, keep: bool) -> Iterator[Engine]:
    admin = build_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    engine = build_engine(url, connect_args={"options": f"-csearch_path={SCHEMA}"})
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()
        if not keep:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{SCHEMA}" CASCADE'))
        admin.dispose()


def _copy(engine: Engine, table: str, columns: str, rows: Iterator[tuple[Any, ...]]) -> None:
    raw = engine.raw_connection()
    try:
        cur = raw.driver_connection.cursor()  # type: ignore[union-attr]
        with cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def _buyers() -> Iterator[tuple[Any, ...]]:
    for i in range(BUYERS):
        email = f"buyer{i}@example.com"
        yield buyer_id(i), email, email, "en", f"Buyer {i}"


def _subscriptions() -> Iterator[tuple[Any, ...]]:
    for i in range(BUYERS):
        start = START + timedelta(minutes=i)
        end = NOW - timedelta(days=1) if i % DUE_EVERY == 0 else NOW + timedelta(days=20)
        yield (f"s{i:07d}", buyer_id(i), "pro", "active", start, end, start, "visa", "4242", 1)


def _orders() -> Iterator[tuple[Any, ...]]:
    lines = json.dumps([{"description": "Pro", "quantity": 1, "unit_price": [2000, "USD"],
                         "amount": [2000, "USD"], "plan_id": "pro", "period_start": None,
                         "period_end": None}])
    details = json.dumps({"country": "US", "state": "US-CA", "postal_code": "94107",
                          "business_name": "", "tax_id": "", "is_business": False})
    for n in range(ORDERS):
        owner = 0 if n < HEAVY_ORDERS else 1 + (n - HEAVY_ORDERS) % (BUYERS - 1)
        created = START + timedelta(minutes=n)
        yield (f"o{n:08d}", buyer_id(owner), "subscription", "completed", "USD", lines,
               2000, 0, 2000, "0", details, created, f"s{owner:07d}", "")


def seed(engine: Engine) -> None:
    started = time.perf_counter()
    _copy(engine, "waffo_buyers", "id, email, email_normalized, locale, name", _buyers())
    _copy(engine, "waffo_subscriptions",
          "id, buyer_id, plan_id, status, current_period_start, current_period_end, "
          "created_at, method_brand, method_last4, version", _subscriptions())
    _copy(engine, "waffo_orders",
          "id, buyer_id, kind, status, currency, line_items, subtotal_minor, tax_minor, "
          "total_minor, tax_rate, billing_details, created_at, subscription_id, tax_note",
          _orders())
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    print(f"seeded {BUYERS:,} buyers, {BUYERS:,} subscriptions, {ORDERS:,} orders "
          f"in {time.perf_counter() - started:.1f} s")


def report(label: str, samples: list[float]) -> float:
    samples = sorted(samples)
    p50 = statistics.median(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    print(f"{label:<52} p50 {p50:8.2f} ms   p99 {p99:8.2f} ms   (n={len(samples)})")
    return p50


def measure(label: str, runs: int, job: Callable[[int], object]) -> float:
    job(0)  # warm the pool and the plan cache
    samples = []
    for i in range(runs):
        begin = time.perf_counter()
        job(i)
        samples.append((time.perf_counter() - begin) * 1000)
    return report(label, samples)


def measure_due(store: SqlStore, rounds: int) -> None:
    """Lease the next 1,000 due subscriptions, then release them one by one (as apply_due)."""
    leases, totals = [], []
    for round_ in range(rounds + 1):
        holder = f"bench-{round_}"
        begin = time.perf_counter()
        leased = store.lease_due_subscriptions(NOW, 1000, holder, NOW + timedelta(minutes=5))
        middle = time.perf_counter()
        for subscription in leased:
            store.release_subscription(subscription.id, holder)
        end = time.perf_counter()
        assert len(leased) == 1000
        if round_:  # round 0 warms up
            leases.append((middle - begin) * 1000)
            totals.append((end - begin) * 1000)
    report("next 1,000 due subscriptions: lease", leases)
    report("next 1,000 due subscriptions: lease + 1,000 releases", totals)


def run(store: SqlStore) -> None:
    rng = random.Random(7)
    light = buyer_id(1)
    assert len(store.list_orders(light, 100)) == 10
    measure("first page (20) of a random buyer's orders", 1000,
            lambda _: store.list_orders(buyer_id(rng.randrange(BUYERS)), 20))
    measure("a random buyer's subscriptions", 1000,
            lambda _: store.list_subscriptions(buyer_id(rng.randrange(BUYERS))))
    measure_due(store, 10)
    p_light = measure("first page (20), buyer with 10 orders", 1000,
                      lambda _: store.list_orders(light, 20))
    p_heavy = measure("first page (20), buyer with 10,000 orders", 1000,
                      lambda _: store.list_orders(buyer_id(0), 20))
    p_heavy10 = measure("first 10 orders, buyer with 10,000 orders", 1000,
                        lambda _: store.list_orders(buyer_id(0), 10))
    deep = store.list_orders(buyer_id(0), 5000)[-1]
    p_deep = measure("page 251 (20) via keyset, buyer with 10,000 orders", 1000,
                     lambda _: store.list_orders(buyer_id(0), 20, (deep.created_at, deep.id)))
    print(f"ratio p50 heavy/light first page: {p_heavy / p_light:.2f}")
    print(f"ratio p50 heavy/light, same row count (10): {p_heavy10 / p_light:.2f}")
    print(f"ratio p50 heavy deep page/light first page: {p_deep / p_light:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=os.environ.get(
        "WAFFO_BENCH_POSTGRES_URL", os.environ.get("WAFFO_TEST_POSTGRES_URL")))
    parser.add_argument("--keep", action="store_true", help="keep the seeded schema")
    args = parser.parse_args()
    if not args.url:
        parser.error("pass --url or set WAFFO_BENCH_POSTGRES_URL")
    with bench_schema(args.url, args.keep) as engine:
        seed(engine)
        run(SqlStore(engine))


if __name__ == "__main__":
    main()
