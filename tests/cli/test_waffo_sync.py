"""``waffo-portal waffo sync`` against the fake Waffo over real HTTP: pages, cursor, resume."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import httpx
import pytest

from waffo_portal.cli import main
from waffo_portal.clock import FrozenClock
from waffo_portal.mail.memory import MemoryMailer
from waffo_portal.payments import TestGateway
from waffo_portal.providers.waffo import WaffoClient, WaffoProvider
from waffo_portal.service import Portal
from waffo_portal.stores.memory import MemoryStore
from waffo_portal.testing.factories import test_config
from waffo_portal.testing.fake_waffo import FakeWaffo, Fault

from ..conftest import WaffoKeys

START = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
SUBSCRIPTIONS = 250
ONETIME = 15
PAGE = 40  # 250 subscriptions: 7 pages, the last one short
APP = f"{__name__}:current_portal"
GRAPHQL = "/v1/graphql"
BUYERS = [f"buyer-{i:03d}" for i in range(SUBSCRIPTIONS)]

_current: dict[str, Portal] = {}


def current_portal() -> Portal:
    """What ``--app`` loads: the portal of the running test."""
    return _current["portal"]


class Tripwire(httpx.BaseTransport):
    """The real transport; from the ``trip_at``-th GraphQL request on, Waffo is down."""

    def __init__(self, fake: FakeWaffo) -> None:
        self.fake = fake
        self.inner = httpx.HTTPTransport()
        self.graphql = 0
        self.trip_at: int | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == GRAPHQL:
            self.graphql += 1
            if self.graphql == self.trip_at:
                self.fake.faults.append(Fault(GRAPHQL, status=503, times=10))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@dataclass
class Shop:
    fake: FakeWaffo
    store: MemoryStore
    wire: Tripwire
    state: Path
    onetime: list[str] = field(default_factory=list)

    def graphql_requests(self) -> int:
        return sum(1 for r in self.fake.requests if r["path"] == GRAPHQL)

    def subscriptions(self) -> int:
        return sum(len(self.store.list_subscriptions(b)) for b in BUYERS)


def _stock(fake: FakeWaffo, clock: FrozenClock) -> list[str]:
    books = fake.books
    plans = [books.add_product(name, price, group="Plans")
             for name, price in (("Basic", "9.00"), ("Pro", "29.00"), ("Team", "79.00"))]
    onetime = []
    for index, buyer in enumerate(BUYERS):
        clock.advance(timedelta(minutes=1))  # the cursor is createdAt: one order per instant
        books.subscribe(plans[index % 3].id, email=f"{buyer}@example.com", identity=buyer)
        if index < ONETIME:
            onetime.append(books.buy_once(plans[2].id, email=f"{buyer}@example.com",
                                          identity=buyer).id)
    return onetime


@pytest.fixture
def shop(waffo_keys: WaffoKeys, tmp_path: Path) -> Iterator[Shop]:
    clock = FrozenClock(START)
    fake = FakeWaffo(clock=clock.now, merchant_key=waffo_keys[0],
                     platform_key=waffo_keys[1]).start()
    onetime = _stock(fake, clock)
    settings = fake.settings()
    wire = Tripwire(fake)
    client = WaffoClient(settings, transport=wire, sleep=lambda _: None,
                         now=lambda: clock.now().timestamp())
    provider = WaffoProvider(settings, client=client, clock=clock)
    store = MemoryStore()
    _current["portal"] = Portal(test_config(), store=store, mailer=MemoryMailer(),
                                provider=provider, webhooks=[provider.webhooks()], clock=clock)
    yield Shop(fake, store, wire, tmp_path / "sync.json", onetime)
    _current.clear()
    client.close()
    fake.stop()


def sync(shop: Shop, *extra: str) -> int:
    return main(["--app", APP, "waffo", "sync", "--state", str(shop.state),
                 "--page-size", str(PAGE), *extra])


def test_everything_arrives_with_progress_and_a_summary(
        shop: Shop, capsys: pytest.CaptureFixture[str]) -> None:
    assert sync(shop) == 0
    out, err = capsys.readouterr()
    assert shop.subscriptions() == SUBSCRIPTIONS
    assert all(shop.store.get_order(order_id) is not None for order_id in shop.onetime)
    assert shop.graphql_requests() == 1 + 7 + 1  # plans, subscription pages, one-time page
    assert f"\rsubscriptions [{'#' * 30}] {SUBSCRIPTIONS}/{SUBSCRIPTIONS}" in err
    assert f"\rsubscriptions [{'#' * 4}{'-' * 26}] {PAGE}/{SUBSCRIPTIONS}" in err
    assert f"one-time orders [{'#' * 30}] {ONETIME}/{ONETIME}" in err
    assert "plans: written 3 (plan 3)" in out
    assert f"subscriptions: {SUBSCRIPTIONS} orders in 7 pages; written" in out
    assert f"subscription {SUBSCRIPTIONS}" in out
    assert f"one-time orders: {ONETIME} orders in 1 page;" in out
    saved = json.loads(shop.state.read_text())
    assert saved["finished_at"] and all(k["finished"] for k in saved["kinds"].values())
    before = shop.graphql_requests()
    assert sync(shop) == 0  # finished: nothing is read again without --restart
    out, err = capsys.readouterr()
    assert "already finished" in out and "--restart" in out
    assert shop.graphql_requests() == before and err == ""


def test_a_restart_reads_again_and_adds_nothing(
        shop: Shop, capsys: pytest.CaptureFixture[str]) -> None:
    assert sync(shop, "--no-progress") == 0
    first = capsys.readouterr()
    orders = {b: shop.store.list_orders(b, 50) for b in BUYERS}
    subscriptions = {b: shop.store.list_subscriptions(b) for b in BUYERS}
    assert sync(shop, "--no-progress", "--restart") == 0
    out, err = capsys.readouterr()
    assert first.err == err == ""
    assert shop.graphql_requests() == 2 * 9
    # Every record is rewritten as a fresh read (the adapter's revision is the read time)
    # but to exactly what it was: no new row, no changed field.
    assert {b: shop.store.list_orders(b, 50) for b in BUYERS} == orders
    assert {b: [attrs.evolve(s, version=0) for s in shop.store.list_subscriptions(b)]
            for b in BUYERS} == {b: [attrs.evolve(s, version=0) for s in subs]
                                 for b, subs in subscriptions.items()}
    assert out == first.out


def test_an_outage_leaves_a_cursor_and_the_rerun_resumes_after_it(
        shop: Shop, capsys: pytest.CaptureFixture[str]) -> None:
    shop.wire.trip_at = 4  # plans, page 1, page 2 answer; page 3 fails
    assert sync(shop) == 1
    out, err = capsys.readouterr()
    assert "Waffo is unavailable" in err and "run the same command again to resume" in err
    assert str(shop.state) in err and out == ""
    saved = json.loads(shop.state.read_text())
    cursor = saved["kinds"]["subscription"]
    assert cursor["done"] == 2 * PAGE and not cursor["finished"]
    assert not saved["kinds"]["onetime"]["finished"] and saved["finished_at"] is None
    assert shop.subscriptions() == 2 * PAGE
    shop.fake.faults.clear()  # Waffo is back
    before = shop.graphql_requests()
    assert sync(shop) == 0
    out, err = capsys.readouterr()
    # Plans again, then only the five subscription pages left and the one-time page.
    assert shop.graphql_requests() - before == 1 + 5 + 1
    first_read = next(r for r in shop.fake.requests[before:] if b"subscriptionOrders" in r["body"])
    assert json.loads(first_read["body"])["variables"]["filter"]["createdAt"]["gte"] == \
        cursor["after"]
    assert cursor["seen"]  # the orders applied at that instant are not read as new
    assert shop.subscriptions() == SUBSCRIPTIONS
    assert f"subscriptions: {SUBSCRIPTIONS - 2 * PAGE} orders in 5 pages" in out
    assert f"] {SUBSCRIPTIONS}/{SUBSCRIPTIONS}" in err  # the bar counts the earlier pages
    assert json.loads(shop.state.read_text())["finished_at"]


def test_kinds_limits_what_is_read(shop: Shop, capsys: pytest.CaptureFixture[str]) -> None:
    assert sync(shop, "--kinds", "onetime", "--no-progress") == 0
    assert "one-time orders: 15 orders" in capsys.readouterr().out
    assert shop.subscriptions() == 0
    assert shop.graphql_requests() == 2


def test_a_state_file_of_another_store_is_refused(
        shop: Shop, capsys: pytest.CaptureFixture[str]) -> None:
    shop.state.write_text(json.dumps({"version": 1, "store_id": "STO_other", "kinds": {
        "subscription": {}, "onetime": {}}}))
    assert sync(shop) == 2
    assert "another --state file" in capsys.readouterr().err
    assert shop.graphql_requests() == 0


def standalone_portal() -> Portal:
    return Portal(test_config(), store=MemoryStore(), mailer=MemoryMailer(),
                  gateway=TestGateway())


def test_a_portal_without_waffo_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--app", f"{__name__}:standalone_portal", "waffo", "sync"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: waffo sync needs a portal whose provider is a WaffoProvider")
    assert err.count("\n") == 1


def test_orders_sharing_a_created_at_across_pages_all_arrive(
        waffo_keys: WaffoKeys, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    clock = FrozenClock(START)  # never advanced: every order has the same createdAt
    fake = FakeWaffo(clock=clock.now, merchant_key=waffo_keys[0],
                     platform_key=waffo_keys[1]).start()
    plan = fake.books.add_product("Basic", "9.00")
    for buyer in BUYERS[:10]:
        fake.books.subscribe(plan.id, email=f"{buyer}@example.com", identity=buyer)
    provider = WaffoProvider(fake.settings(), clock=clock)
    store = MemoryStore()
    _current["portal"] = Portal(test_config(), store=store, mailer=MemoryMailer(),
                                provider=provider, clock=clock)
    try:
        assert main(["--app", APP, "waffo", "sync", "--page-size", "4", "--kinds",
                     "subscription", "--no-progress"]) == 0
    finally:
        _current.clear()
        provider.client.close()
        fake.stop()
    out, err = capsys.readouterr()
    assert "warning" not in err
    assert "subscriptions: 10 orders" in out
    assert sum(len(store.list_subscriptions(buyer)) for buyer in BUYERS[:10]) == 10


def test_an_unreadable_order_is_skipped_and_reported_not_fatal(
        shop: Shop, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import waffo_portal.testing.fake_waffo.graphql as fake_graphql
    original = fake_graphql.order_node
    broken_id = sorted(shop.fake.books.orders)[0]

    def one_broken(books: object, order: object) -> dict[str, object]:
        node = original(books, order)  # type: ignore[arg-type]
        if node["id"] == broken_id:
            node["billingDetail"] = None
        return node

    monkeypatch.setattr(fake_graphql, "order_node", one_broken)
    assert sync(shop, "--no-progress") == 1
    out, err = capsys.readouterr()
    assert f"skipped {broken_id}: billing_details.country (billing.country_required)" in out
    assert "1 orders could not be read and were left out" in err
    kind = shop.fake.books.orders[broken_id].kind
    synced = shop.subscriptions() + sum(
        shop.store.get_order(o) is not None for o in shop.onetime)
    assert synced == SUBSCRIPTIONS + ONETIME - 1, kind
