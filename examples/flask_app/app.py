"""A tiny merchant shop on Flask with the waffo portal mounted at /billing.

Run:  python examples/flask_app/app.py      (then open http://127.0.0.1:5000/)

With Waffo Pancake as the billing provider instead, by configuration only: set
SHOP_BILLING=waffo and WAFFO_MERCHANT_ID, WAFFO_STORE_ID, WAFFO_PRIVATE_KEY (README.md).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
from flask import Flask, render_template, url_for
from werkzeug.wrappers import Response

from waffo_portal import ConsoleMailer, FrozenClock, MemoryStore, TestGateway
from waffo_portal.clock import SystemClock
from waffo_portal.demo import DEMO_BRANDING, DEMO_TAX_RATES, seed_demo
from waffo_portal.integrations.flask import WaffoPortal
from waffo_portal.ports import BillingProvider, Clock, Mailer, PaymentGateway, Store, WebhookSource

HERE = Path(__file__).parent
DEMO_EMAIL = "ada@example.com"  # the shop's signed-in customer in this example


def waffo_from_env() -> dict[str, Any]:
    """The shop's Waffo keys (Waffo dashboard: Developers, API keys), never in the code."""
    env = os.environ
    return {"merchant_id": env.get("WAFFO_MERCHANT_ID", ""),
            "private_key": env.get("WAFFO_PRIVATE_KEY", ""),
            "store_id": env.get("WAFFO_STORE_ID", ""),
            "environment": env.get("WAFFO_ENVIRONMENT", "test")}


def create_app(*, store: Store | None = None, mailer: Mailer | None = None,
               clock: Clock | FrozenClock | None = None,
               base_url: str = "http://127.0.0.1:5000/billing",
               config: Mapping[str, Any] | None = None) -> Flask:
    clock = clock or SystemClock()
    app = Flask(__name__, template_folder=str(HERE / "templates"))
    # --- the shop's billing: SHOP_BILLING "test" (the portal charges a test gateway; demo
    # data) or "waffo" (Waffo Pancake is the provider of record and its webhooks fill the
    # store); `config` overrides, as in Flask's test_config pattern.
    app.config.from_mapping(SHOP_BILLING=os.environ.get("SHOP_BILLING", "test"),
                            SHOP_WAFFO=waffo_from_env())
    app.config.from_mapping(config or {})
    gateway: PaymentGateway | None = None
    provider: BillingProvider | None = None
    webhooks: list[WebhookSource] = []
    if app.config["SHOP_BILLING"] == "waffo":
        from waffo_portal.providers.waffo import WaffoProvider, WaffoSettings  # "waffo" extra

        waffo = WaffoProvider(WaffoSettings.from_mapping(app.config["SHOP_WAFFO"]), clock=clock)
        provider, webhooks = waffo, [waffo.webhooks()]  # Waffo posts to /billing/webhooks/waffo
        store = MemoryStore() if store is None else store  # no seed: Waffo's data arrives
    elif app.config["SHOP_BILLING"] == "test":
        gateway = TestGateway()
        if store is None:
            store = MemoryStore()
            seed_demo(store, clock.now())
    else:
        raise ValueError(f"SHOP_BILLING is 'test' or 'waffo', not {app.config['SHOP_BILLING']!r}")
    # --- mounting the portal: settings + one extension (the merchant's whole integration)
    secret = os.environ.get("SHOP_PORTAL_SECRET") or secrets.token_urlsafe(32)
    app.config.from_mapping(
        WAFFO_PORTAL_SECRET_KEYS=[secret],
        WAFFO_PORTAL_BASE_URL=base_url,
        # merchant_url: the portal's "← Back to Acme Cloud" link, to this shop's home
        WAFFO_PORTAL_BRANDING=attrs.evolve(DEMO_BRANDING, merchant_url="/"),
        WAFFO_PORTAL_TAX_RATES=DEMO_TAX_RATES,  # VAT per country, for the portal's own orders
        WAFFO_PORTAL_COOKIE_SECURE=False,  # local http only; never in production
        WAFFO_PORTAL_COOKIE_NAME="shop_portal",
    )
    portal = WaffoPortal(app, store=store, mailer=mailer or ConsoleMailer(), gateway=gateway,
                         provider=provider, webhooks=webhooks, clock=clock)
    # --- the merchant's own pages
    add_shop_pages(app, portal, store)
    return app


def add_shop_pages(app: Flask, portal: WaffoPortal, store: Store) -> None:
    def customer_id() -> str:
        buyer = store.find_buyer_by_email(DEMO_EMAIL)
        assert buyer is not None
        return buyer.id

    @app.get("/")
    def home() -> str:
        if store.find_buyer_by_email(DEMO_EMAIL) is None:  # with Waffo: before its webhooks
            return "<p>No billing account yet: it appears once Waffo's webhooks arrive.</p>"
        buyer = store.get_buyer(customer_id())
        return render_template("home.html", buyer=buyer,
                               subscriptions=store.list_subscriptions(customer_id()))

    @app.post("/account/manage-subscription")
    def manage_subscription() -> Response:
        # This shop already knows who the customer is (its own login), and the portal
        # is on the same site: hand them over, logged in, with no extra click.
        base = portal.portal.config.base_path
        return portal.enter(customer_id(), next=f"{base}/subscriptions")

    @app.get("/emails/receipt")
    def receipt_preview() -> str:
        """The receipt email the shop sends, with a portal link in it (valid for days:
        it opens the sign-in page with the customer's address filled in)."""
        link = portal.portal.email_portal_link(customer_id())
        return render_template("emails/receipt.txt", buyer=store.get_buyer(customer_id()),
                               portal_url=link, shop=url_for("home", _external=True))


if __name__ == "__main__":
    create_app().run(host="127.0.0.1", port=5000)
