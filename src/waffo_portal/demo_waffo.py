"""``waffo-portal demo --provider waffo``: the demo merchant, billed through a fake Waffo.

A ``FakeWaffo`` runs beside the portal on its own port. The demo buyers' purchases are
made on the fake and reach the portal only by webhook, as they would from Waffo; a plan
change is confirmed on the fake's "Waffo" page and comes back by webhook too. Both
live in memory (the fake's books and the portal's store), so every start is a fresh,
consistent world. Needs the ``waffo`` and ``waffo-testing`` extras.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable, Mapping
from typing import Any, TextIO
from wsgiref.simple_server import make_server

import attrs

from .demo import demo_config
from .demo_server import PORTAL_MOUNT, DemoMerchant, QuietHandler, ThreadingWSGIServer, banner
from .mail.console import ConsoleMailer
from .providers.waffo import WaffoProvider
from .service import Portal
from .stores.memory import MemoryStore
from .testing.fake_waffo import FakeWaffo
from .web.wsgi import StartResponse

# (name, monthly price): one product group, so buyers can switch between them.
PLANS = (("Basic", "9.00"), ("Pro", "29.00"), ("Team", "79.00"))
PRODUCT_GROUP = "Acme Cloud"
WORKSHOP = ("Onboarding workshop", "49.00")


@attrs.frozen
class WaffoDemoBuyer:
    email: str
    identity: str  # the merchant's own buyer id, given to Waffo at checkout
    plan: str
    story: str
    billing: Mapping[str, Any]
    locale: str = "browser"  # Waffo keeps no language: the portal follows the browser


WAFFO_DEMO_BUYERS: tuple[WaffoDemoBuyer, ...] = (
    WaffoDemoBuyer("ada@example.com", "demo-ada", "Pro",
                   "Pro monthly, a one-time workshop half refunded",
                   {"country": "US", "isBusiness": False, "postcode": "94107", "state": "CA"}),
    WaffoDemoBuyer("kenji@example.jp", "demo-kenji", "Basic",
                   "Basic monthly, Japanese VAT: try an upgrade",
                   {"country": "JP", "isBusiness": False, "postcode": "100-0005"}),
    WaffoDemoBuyer("marie@example.fr", "demo-marie", "Team",
                   "EU business, reverse charge, canceling: try reactivating",
                   {"country": "FR", "isBusiness": True, "postcode": "75002",
                    "businessName": "Atelier Lumière SARL", "taxId": "FR40303265045"}),
)


def stock_fake(fake: FakeWaffo) -> int:
    """The demo's products and purchases on the fake; returns how many webhooks wait."""
    books = fake.books
    products = {name: books.add_product(name, price, group=PRODUCT_GROUP)
                for name, price in PLANS}
    workshop = books.add_product(*WORKSHOP)
    # The fake sells only subscription products: archived, the portal offers no switch to it.
    workshop.status = "archived"
    for buyer in WAFFO_DEMO_BUYERS:
        order = books.subscribe(products[buyer.plan].id, email=buyer.email,
                                identity=buyer.identity, billing=dict(buyer.billing))
        if buyer.identity == "demo-marie":
            books.cancel(order.id)
        if buyer.identity == "demo-ada":
            once = books.buy_once(workshop.id, email=buyer.email, identity=buyer.identity,
                                  billing=dict(buyer.billing))
            books.refund(once.payments[0].id, "24.50")
    return len(books.outbox)


def waffo_demo_portal(fake: FakeWaffo, port: int, host: str = "127.0.0.1") -> Portal:
    """The demo merchant's portal with the fake as its provider of record."""
    provider = WaffoProvider(fake.settings())
    return Portal(demo_config(port, host), store=MemoryStore(), mailer=ConsoleMailer(),
                  provider=provider, webhooks=[provider.webhooks()])


def _starting(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    start_response("503 Service Unavailable", [("Content-Length", "0")])
    return [b""]


def _deliver(fake: FakeWaffo, stream: TextIO) -> None:
    """The purchases' webhooks, once the portal listens; then Waffo's own timing."""
    sent = fake.deliver()
    accepted = sum(1 for delivery in sent if (delivery.status or 0) < 300)
    fake.auto_deliver = True
    print(f"Waffo delivered {len(sent)} webhooks to the portal ({accepted} accepted on the "
          "first try): the buyers' subscriptions are in.", file=stream, flush=True)


def serve_waffo_demo(host: str = "127.0.0.1", port: int = 8000,
                     out: TextIO | None = None) -> None:
    stream = out or sys.stdout
    fake = FakeWaffo().start()
    fake.auto_deliver = False  # the first webhooks wait until the portal listens
    stock_fake(fake)
    # Bound first: with --port 0 the portal's own URLs need the port picked.
    server = make_server(host, port, _starting, server_class=ThreadingWSGIServer,
                         handler_class=QuietHandler)
    port = server.server_port
    portal = waffo_demo_portal(fake, port, host)
    server.set_app(DemoMerchant(portal, WAFFO_DEMO_BUYERS))
    fake.webhook_target = f"http://{host}:{port}{PORTAL_MOUNT}/webhooks/waffo"
    print(banner(host, port, WAFFO_DEMO_BUYERS, extra=(
        f"Fake Waffo:     {fake.url} (webhooks to {fake.webhook_target})",
        "Try it: open a buyer's portal, upgrade the plan, confirm on the \"Waffo\" page it "
        "sends you to, and see the plan change when Waffo's webhook comes back.",
    )), file=stream, flush=True)
    threading.Thread(target=_deliver, args=(fake, stream), daemon=True,
                     name="demo-webhooks").start()
    try:
        server.serve_forever()
    finally:
        server.server_close()
        fake.stop()
