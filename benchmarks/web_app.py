"""The app ``benchmarks/web.py`` serves with gunicorn: the Flask example shop (portal at
/billing) on a shared SQLite file, plus two hand-written Flask views of the same
subscriptions, neither using any of the portal's machinery:

* ``/plain/subscriptions?buyer=…``: the thinnest possible page. It trusts the buyer id in
  the query string (no login), prints raw amounts and ISO dates, through the portal's
  store, with a minimal template.
* ``/merchant/subscriptions``: what a merchant would minimally write by hand for a
  logged-in buyer: read the session cookie, look the session up in the same database
  (the SHA-256 of the cookie value, as the portal stores it; not revoked, not expired),
  load the buyer, then their subscriptions joined with their plans, and format prices and
  dates with babel in the buyer's language, in a small template. Its own SQLAlchemy
  engine and plain SQL (3 statements on one connection). It has no layout, navigation,
  language menu, CSRF token, translated labels or security headers.

    gunicorn --chdir benchmarks 'web_app:create()'   (env: BENCH_DB, BENCH_SECRET, BENCH_URL)
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date
from babel.numbers import format_currency, get_currency_precision
from flask import Flask, redirect, request
from sqlalchemy import create_engine, text
from werkzeug.wrappers import Response

from waffo_portal.stores.sql import SqlStore

ROOT = Path(__file__).resolve().parents[1]
PLAIN = jinja2.Environment(autoescape=True).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Subscriptions</title></head><body><main>
<h1>Subscriptions</h1><table><tr><th>Plan</th><th>Status</th><th>Price</th><th>Renews</th></tr>
{% for sub, plan in rows %}<tr><td>{{ plan.name }}</td><td>{{ sub.status.value }}</td>
<td>{{ plan.price.amount }} {{ plan.price.currency }}</td>
<td>{{ sub.current_period_end.date() }}</td></tr>{% endfor %}</table></main></body></html>""")

MERCHANT = jinja2.Environment(autoescape=True).from_string("""<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>Subscriptions</title></head><body>
<main><h1>Subscriptions</h1><p>{{ name }}</p>
<table><tr><th>Plan</th><th>Status</th><th>Price</th><th>Next bill</th></tr>
{% for row in rows %}<tr><td>{{ row.plan }}</td><td>{{ row.status }}</td><td>{{ row.price }}</td>
<td>{{ row.renews }}</td></tr>{% endfor %}</table></main></body></html>""")
SESSION_SQL = text("SELECT buyer_id FROM waffo_sessions WHERE id_hash = :hash"
                   " AND revoked_at IS NULL AND expires_at > :now")
BUYER_SQL = text("SELECT name, locale FROM waffo_buyers WHERE id = :buyer")
SUBSCRIPTIONS_SQL = text(
    "SELECT p.name, p.price_minor, p.currency, s.status, s.current_period_end"
    " FROM waffo_subscriptions s JOIN waffo_plans p ON p.id = s.plan_id"
    " WHERE s.buyer_id = :buyer ORDER BY s.created_at DESC, s.id DESC")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the portal's SQLite columns hold epoch microseconds


def load_shop() -> object:
    spec = importlib.util.spec_from_file_location("bench_shop", ROOT / "examples/flask_app/app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def merchant_row(row: Any, locale: str) -> dict[str, str]:
    price = Decimal(row.price_minor).scaleb(-get_currency_precision(row.currency))
    renews = EPOCH + timedelta(microseconds=row.current_period_end)
    return {"plan": row.name, "status": row.status,
            "price": format_currency(price, row.currency, locale=locale),
            "renews": format_date(renews, "long", locale=locale)}


def create() -> Flask:
    store = SqlStore.from_url(f"sqlite:///{os.environ['BENCH_DB']}")
    engine = create_engine(f"sqlite:///{os.environ['BENCH_DB']}")  # the merchant's own
    os.environ["SHOP_PORTAL_SECRET"] = os.environ["BENCH_SECRET"]
    app: Flask = load_shop().create_app(  # type: ignore[attr-defined]
        store=store, base_url=os.environ["BENCH_URL"] + "/billing")

    @app.get("/plain/subscriptions")
    def plain_subscriptions() -> str:
        subs = store.list_subscriptions(request.args["buyer"])
        return PLAIN.render(rows=[(s, store.get_plan(s.plan_id)) for s in subs])

    @app.get("/merchant/subscriptions")
    def merchant_subscriptions() -> str | Response:
        cookie = request.cookies.get("shop_portal", "")
        digest = hashlib.sha256(cookie.encode()).hexdigest()
        now = time.time_ns() // 1000
        with engine.connect() as conn:
            buyer_id = conn.execute(SESSION_SQL, {"hash": digest, "now": now}).scalar()
            if buyer_id is None:
                return redirect("/billing/login", 303)
            buyer = conn.execute(BUYER_SQL, {"buyer": buyer_id}).one()
            rows = conn.execute(SUBSCRIPTIONS_SQL, {"buyer": buyer_id}).all()
        locale = (buyer.locale or "en").replace("-", "_")
        return MERCHANT.render(lang=buyer.locale or "en", name=buyer.name,
                               rows=[merchant_row(row, locale) for row in rows])

    return app
