"""The app ``benchmarks/web.py`` serves with gunicorn: the Flask example shop (portal at
/billing) on a shared SQLite file, plus a hand-written Flask view that renders the same
subscriptions with a minimal jinja2 template and none of the portal's machinery.

    gunicorn --chdir benchmarks 'web_app:create()'   (env: BENCH_DB, BENCH_SECRET, BENCH_URL)
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import jinja2
from flask import Flask, request

from waffo_portal.stores.sql import SqlStore

ROOT = Path(__file__).resolve().parents[1]
PLAIN = jinja2.Environment(autoescape=True).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Subscriptions</title></head><body><main>
<h1>Subscriptions</h1><table><tr><th>Plan</th><th>Status</th><th>Price</th><th>Renews</th></tr>
{% for sub, plan in rows %}<tr><td>{{ plan.name }}</td><td>{{ sub.status.value }}</td>
<td>{{ plan.price.amount }} {{ plan.price.currency }}</td>
<td>{{ sub.current_period_end.date() }}</td></tr>{% endfor %}</table></main></body></html>""")


def load_shop() -> object:
    spec = importlib.util.spec_from_file_location("bench_shop", ROOT / "examples/flask_app/app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def create() -> Flask:
    store = SqlStore.from_url(f"sqlite:///{os.environ['BENCH_DB']}")
    os.environ["SHOP_PORTAL_SECRET"] = os.environ["BENCH_SECRET"]
    app: Flask = load_shop().create_app(  # type: ignore[attr-defined]
        store=store, base_url=os.environ["BENCH_URL"] + "/billing")

    @app.get("/plain/subscriptions")
    def plain_subscriptions() -> str:
        subs = store.list_subscriptions(request.args["buyer"])
        return PLAIN.render(rows=[(s, store.get_plan(s.plan_id)) for s in subs])

    return app
