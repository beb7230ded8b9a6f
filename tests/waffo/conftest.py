"""A portal fed by, and acting through, the fake Waffo (real HTTP, signatures, webhooks)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from waffo_portal.clock import FrozenClock
from waffo_portal.mail.memory import MemoryMailer
from waffo_portal.ports import Store
from waffo_portal.providers.waffo import WaffoProvider
from waffo_portal.service import Portal
from waffo_portal.stores.memory import MemoryStore
from waffo_portal.testing.factories import test_config
from waffo_portal.testing.fake_waffo import FakeWaffo
from waffo_portal.testing.fake_waffo.state import FakeOrder, Product
from waffo_portal.web import PortalWebApp, Request

from ..conftest import WaffoKeys

START = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
ALICE = {"country": "DE", "isBusiness": False, "postcode": "10115"}


@dataclass
class World:
    fake: FakeWaffo
    provider: WaffoProvider
    portal: Portal
    store: Store
    clock: FrozenClock
    mailer: MemoryMailer
    starter: Product
    pro: Product
    team: Product

    def post_webhook(self, headers: Mapping[str, str], body: bytes) -> int:
        """Through the portal's own route, as Waffo's delivery would arrive."""
        web = PortalWebApp(self.portal)
        answer = web.handle(Request("POST", "/webhooks/waffo", headers=dict(headers),
                                    body=body))
        return answer.status

    def subscribe(self, product: Product | None = None, identity: str = "user-42",
                  email: str = "alice@example.com",
                  billing: Mapping[str, object] | None = None) -> FakeOrder:
        order = self.fake.books.subscribe((product or self.starter).id, email=email,
                                          identity=identity, billing=dict(billing or ALICE))
        self.fake.deliver()
        return order

    def advance(self, delta: timedelta) -> None:
        self.clock.advance(delta)


def make_world(waffo_keys: WaffoKeys, store: Store | None = None,
               ) -> World:
    clock = FrozenClock(START)
    fake = FakeWaffo(clock=clock.now, merchant_key=waffo_keys[0],
                     platform_key=waffo_keys[1]).start()
    starter = fake.books.add_product("Starter", "10.00", group="Plans")
    pro = fake.books.add_product("Pro", "30.00", group="Plans")
    team = fake.books.add_product("Team", "90.00", group="Plans")
    provider = WaffoProvider(fake.settings(), clock=clock)
    store = store if store is not None else MemoryStore()
    mailer = MemoryMailer()
    portal = Portal(test_config(), store=store, mailer=mailer, provider=provider,
                    webhooks=[provider.webhooks()], clock=clock)
    world = World(fake, provider, portal, store, clock, mailer, starter, pro, team)
    fake.webhook_target = world.post_webhook
    fake.auto_deliver = False  # tests deliver when they choose
    return world


@pytest.fixture
def world(waffo_keys: WaffoKeys) -> Iterator[World]:
    made = make_world(waffo_keys)
    yield made
    made.fake.stop()
    made.provider.client.close()
