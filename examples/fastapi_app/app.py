"""A tiny merchant shop on FastAPI with the waffo portal mounted at /billing.

Run:  uvicorn --app-dir examples/fastapi_app app:app --port 8000
      (then open http://127.0.0.1:8000/)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import attrs
import jinja2
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse

from waffo_portal import ConsoleMailer, MemoryStore, Portal, PortalConfig, TestGateway
from waffo_portal.clock import SystemClock
from waffo_portal.demo import DEMO_BRANDING, DEMO_TAX_RATES, seed_demo
from waffo_portal.integrations.starlette import PortalASGIApp, enter
from waffo_portal.ports import Clock, Mailer, Store
from waffo_portal.web import PortalWebApp

HERE = Path(__file__).parent
DEMO_EMAIL = "ada@example.com"  # the shop's signed-in customer in this example
pages = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)


def create_app(*, store: Store | None = None, mailer: Mailer | None = None,
               clock: Clock | None = None,
               base_url: str = "http://127.0.0.1:8000/billing") -> FastAPI:
    clock = clock or SystemClock()
    if store is None:
        store = MemoryStore()
        seed_demo(store, clock.now())
    # --- mounting the portal
    config = PortalConfig(
        secret_keys=[os.environ.get("SHOP_PORTAL_SECRET") or secrets.token_urlsafe(32)],
        # merchant_url: the portal's "← Back to Acme Cloud" link, to this shop's home
        base_url=base_url, branding=attrs.evolve(DEMO_BRANDING, merchant_url="/"),
        tax_rates=DEMO_TAX_RATES,  # VAT per country: the portal's upgrades and renewals
        cookie_secure=False, cookie_name="shop_portal",  # local http only
    )
    portal = Portal(config, store=store, mailer=mailer or ConsoleMailer(),
                    gateway=TestGateway(), clock=clock)
    web = PortalWebApp(portal)
    app = FastAPI()
    app.mount("/billing", PortalASGIApp(web))
    # --- the merchant's own pages
    add_shop_pages(app, web)
    return app


def add_shop_pages(app: FastAPI, web: PortalWebApp) -> None:
    portal = web.portal

    def customer_id() -> str:
        buyer = portal.find_buyer_by_email(DEMO_EMAIL)
        assert buyer is not None
        return buyer.id

    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        buyer_id = customer_id()
        return pages.get_template("home.html").render(
            buyer=portal.find_buyer(buyer_id),
            subscriptions=portal.list_subscriptions(buyer_id))

    @app.post("/account/manage-subscription")
    async def manage_subscription(request: Request) -> Response:
        # The shop knows its customer and the portal is on the same site: hand them over,
        # logged in, with no extra click.
        return await enter(web, request, customer_id(), next="/billing/subscriptions")

    @app.get("/emails/receipt", response_class=PlainTextResponse)
    def receipt_preview() -> str:
        link = portal.email_portal_link(customer_id())  # valid for days; fills in the email
        return pages.get_template("emails/receipt.txt").render(
            buyer=portal.find_buyer(customer_id()), portal_url=link)


app = create_app()
