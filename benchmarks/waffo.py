"""Waffo webhook intake against the portal's own signed-JSON intake, side by side.

    python benchmarks/waffo.py [--deliveries 400] [--database postgresql://...]

Both sides take in the same subscriptions through the framework-neutral web app into the
same kind of store, one delivery after another in one process:

1. **Waffo**: ``X-Waffo-Signature`` (RSA-2048 verify) over the raw body, then the order
   read back from the fake Waffo over local HTTP (pinned GraphQL, executed by graphql-core)
   and written by the sync rules.
2. **Signed JSON** (baseline): the records themselves in the body, HMAC-SHA256, no read-back.

Also timed alone: one RSA verify and one GraphQL read (the two costs the Waffo path adds).
Prints p50/p99 per delivery, deliveries/s and the ratio; asserts nothing. Needs the
``waffo-testing`` extra.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from waffo_portal.clock import FrozenClock
from waffo_portal.mail.memory import MemoryMailer
from waffo_portal.ports import Store
from waffo_portal.providers.signed_json import HEADER, SignedJsonWebhooks, delivery_body, sign
from waffo_portal.providers.waffo import WaffoProvider
from waffo_portal.providers.waffo.queries import SUBSCRIPTION_ORDER
from waffo_portal.providers.waffo.signing import verify_webhook
from waffo_portal.service import Portal
from waffo_portal.stores.memory import MemoryStore
from waffo_portal.testing.factories import test_config
from waffo_portal.testing.fake_waffo import Delivery, FakeWaffo
from waffo_portal.web import PortalWebApp, Request

START = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
SECRET = "benchmark-secret-that-is-long-enough-01"  # noqa: S105 (a test secret)


def make_store(url: str) -> Store:
    if url == "memory":
        return MemoryStore()
    from waffo_portal.stores.sql import SqlStore
    return SqlStore.from_url(url, migrate=True)


def timed(calls: Sequence[Callable[[], object]]) -> list[float]:
    took = []
    for call in calls:
        began = time.perf_counter()
        call()
        took.append(time.perf_counter() - began)
    return took


def report(name: str, took: list[float]) -> float:
    p50 = statistics.median(took) * 1000
    p99 = statistics.quantiles(took, n=100)[98] * 1000
    rate = len(took) / sum(took)
    print(f"{name:<28} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   {rate:8.0f} /s")
    return p50


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=400)
    parser.add_argument("--database", default="",
                        help="an SQLAlchemy URL (default: a fresh SQLite file), or 'memory' "
                             "(the memory store copies its state per transaction: slow)")
    args = parser.parse_args()
    args.database = args.database or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    clock = FrozenClock(START)
    fake = FakeWaffo(clock=clock.now).start()
    product = fake.books.add_product("Pro", "30.00", group="Plans")
    waffo = WaffoProvider(fake.settings(), clock=clock)
    portal = Portal(test_config(), store=make_store(args.database), mailer=MemoryMailer(),
                    provider=waffo, webhooks=[waffo.webhooks(), SignedJsonWebhooks([SECRET])],
                    clock=clock)
    web = PortalWebApp(portal)

    def post(path: str, headers: dict[str, str], body: bytes) -> None:
        answer = web.handle(Request("POST", path, headers=headers, body=body))
        assert answer.status == 200, answer.body

    # Everything is built before the clocks start: one activation per buyer.
    deliveries: list[Delivery] = []
    for index in range(args.deliveries):
        fake.books.subscribe(product.id, email=f"b{index}@example.com", identity=f"b{index}",
                             billing={"country": "DE", "isBusiness": False,
                                      "postcode": "10115"})
        activated = [e for e in fake.pending() if e.event_type == "subscription.activated"]
        deliveries.append(fake.signed(activated[0]))
    # The baseline: exactly the records the Waffo path writes, sent as signed JSON.
    baseline = []
    for delivery in deliveries:
        records = waffo.reader.subscription(delivery.event.event_id, clock.now())
        body = delivery_body(f"json-{delivery.event.delivery_id}", "bench", records)
        baseline.append((body, {HEADER: sign(body, SECRET, int(clock.now().timestamp()))}))
    post("/webhooks/waffo", deliveries[0].headers, deliveries[0].body)  # warm caches

    print(f"{args.deliveries} deliveries into {args.database}, one process\n")
    ours = report("waffo (verify+read+write)", timed([
        lambda d=d: post("/webhooks/waffo", d.headers, d.body) for d in deliveries[1:]]))
    base = report("signed json (baseline)", timed([
        lambda b=b: post("/webhooks/portal", b[1], b[0]) for b in baseline[1:]]))
    key = waffo.settings.webhook_keys["test"]
    first = deliveries[0]
    report("  RSA verify alone", timed([
        lambda: verify_webhook(first.headers["X-Waffo-Signature"], first.body, [key],
                               clock.now())] * args.deliveries))
    report("  GraphQL read alone", timed([
        lambda d=d: waffo.client.graphql(SUBSCRIPTION_ORDER, {"id": d.event.event_id})
        for d in deliveries]))
    print(f"\nwaffo / signed json (p50): {ours / base:.2f}x")
    fake.stop()


if __name__ == "__main__":
    main()
