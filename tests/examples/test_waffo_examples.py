"""The examples switched to Waffo by configuration alone, against the fake Waffo.

Webhooks reach each shop through its own mounted route (Flask's test client, Django's
in a subprocess with ``shop.settings_waffo``); the plan change in a browser is
tests/browser/test_waffo_examples.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

from waffo_portal import MemoryMailer
from waffo_portal.core.exceptions import ConfigurationError
from waffo_portal.providers.waffo import WaffoSettings
from waffo_portal.testing.fake_waffo import FakeWaffo

from ..conftest import WaffoKeys
from .helpers import EXAMPLES, load_example

shop = load_example("flask_app/app.py", "example_flask_app")
SRC = Path(__file__).resolve().parents[2] / "src"
PROJECT = EXAMPLES / "django_project"
EMAIL = "ada@example.com"
GERMANY = {"country": "DE", "isBusiness": False, "postcode": "10115"}


@pytest.fixture
def fake(waffo_keys: WaffoKeys) -> Iterator[FakeWaffo]:
    waffo = FakeWaffo(merchant_key=waffo_keys[0], platform_key=waffo_keys[1]).start()
    waffo.auto_deliver = False
    yield waffo
    waffo.stop()


def waffo_values(fake: FakeWaffo) -> dict[str, Any]:
    settings = fake.settings()
    return {f.name: getattr(settings, f.name) for f in attrs.fields(WaffoSettings) if f.init}


def sell_pro(fake: FakeWaffo) -> str:
    plans = [fake.books.add_product(name, price, group="Plans")
             for name, price in (("Starter", "10.00"), ("Pro", "30.00"))]
    return fake.books.subscribe(plans[1].id, email=EMAIL, identity="cus_ada",
                                billing=GERMANY).id


def test_flask_shop_on_waffo_starts_empty_and_fills_by_webhook(fake: FakeWaffo) -> None:
    app = shop.create_app(mailer=MemoryMailer(),
                          config={"SHOP_BILLING": "waffo", "SHOP_WAFFO": waffo_values(fake)})
    http = app.test_client()
    portal = app.extensions["waffo_portal"].portal
    assert portal.provider_mode and portal.find_buyer_by_email(EMAIL) is None  # no seed

    def post(headers: Mapping[str, str], body: bytes) -> int:
        answer = http.post("/billing/webhooks/waffo", data=body, headers=dict(headers))
        return int(answer.status_code)

    fake.webhook_target = post
    sub_id = sell_pro(fake)
    try:
        assert [d.status for d in fake.deliver()] == [200, 200]
        assert b"You have 1 subscription(s)" in http.get("/").data
        handed_over = http.post("/account/manage-subscription")  # logged in at once
        assert handed_over.headers["Location"] == "/billing/subscriptions"
        page = http.get(f"/billing/subscriptions/{sub_id}").get_data(as_text=True)
        assert "<h1>Pro</h1>" in page
    finally:
        portal.provider.client.close()


def test_flask_waffo_keys_come_from_the_environment(fake: FakeWaffo,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    values = waffo_values(fake)
    monkeypatch.setenv("SHOP_BILLING", "waffo")
    monkeypatch.setenv("WAFFO_MERCHANT_ID", values["merchant_id"])
    monkeypatch.setenv("WAFFO_STORE_ID", values["store_id"])
    monkeypatch.setenv("WAFFO_PRIVATE_KEY", values["private_key"].replace("\n", "\\n"))
    assert shop.waffo_from_env() == {
        "merchant_id": values["merchant_id"], "store_id": values["store_id"],
        "private_key": values["private_key"].replace("\n", "\\n"), "environment": "test"}
    app = shop.create_app(mailer=MemoryMailer())
    web = app.extensions["waffo_portal"]
    assert web.portal.provider_mode
    assert web.portal.provider.settings.merchant_id == values["merchant_id"]
    web.portal.provider.client.close()


def test_flask_waffo_without_keys_names_the_missing_setting() -> None:
    with pytest.raises(ConfigurationError, match="merchant_id"):
        shop.create_app(mailer=MemoryMailer(), config={"SHOP_BILLING": "waffo",
                                                       "SHOP_WAFFO": {"environment": "test"}})
    with pytest.raises(ValueError, match="SHOP_BILLING"):
        shop.create_app(mailer=MemoryMailer(), config={"SHOP_BILLING": "stripe"})


DJANGO_SCRIPT = """
import json, sys
import django
django.setup()
from django.test import Client
from waffo_portal.integrations.django import get_portal
portal = get_portal()
assert portal.provider_mode and portal.find_buyer_by_email("ada@example.com") is None
http = Client()
for delivery in json.load(open(sys.argv[1])):
    answer = http.post("/billing/webhooks/waffo", data=delivery["body"],
                       content_type="application/json", headers=delivery["headers"])
    assert answer.status_code == 200, answer.content
home = http.get("/")
assert b"You have 1 subscription(s)" in home.content, home.content
handed_over = http.post("/account/manage-subscription")
assert handed_over["Location"] == "/billing/subscriptions", handed_over["Location"]
page = http.get("/billing/subscriptions")
assert page.status_code == 200 and b"Pro" in page.content, page.content
print("waffo example ok")
"""


WAFFO_KEYS = ("WAFFO_MERCHANT_ID", "WAFFO_STORE_ID", "WAFFO_PRIVATE_KEY", "WAFFO_ENVIRONMENT")


def _django_env(tmp_path: Path, waffo: Mapping[str, str]) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if k not in WAFFO_KEYS}
    return {**inherited, "SHOP_DB": str(tmp_path / "shop.sqlite3"),
            "PYTHONPATH": os.pathsep.join([str(SRC), str(PROJECT), str(tmp_path)]),
            "DJANGO_SETTINGS_MODULE": "shop.settings_waffo", "PYTHONWARNINGS": "error",
            **waffo}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=PROJECT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_django_settings_waffo_check_migrate_and_webhooks(tmp_path: Path,
                                                          fake: FakeWaffo) -> None:
    values = waffo_values(fake)
    without_keys = _run(["manage.py", "check"], _django_env(tmp_path, {}))
    assert without_keys.returncode != 0
    assert "the Waffo setting 'merchant_id' is required" in without_keys.stderr

    keys = {"WAFFO_MERCHANT_ID": values["merchant_id"], "WAFFO_STORE_ID": values["store_id"],
            "WAFFO_PRIVATE_KEY": values["private_key"], "WAFFO_ENVIRONMENT": "test"}
    env = _django_env(tmp_path, keys)
    for step in (["check", "--fail-level", "WARNING"], ["migrate"]):
        result = _run(["manage.py", *step], env)
        assert result.returncode == 0, (step, result.stdout, result.stderr)
    # Point the Waffo URLs at the fake (a real shop keeps Waffo's defaults).
    (tmp_path / "shop_on_fake_waffo.py").write_text(
        "from shop.settings_waffo import *  # noqa: F403\n"
        "from shop.settings_waffo import SHOP_WAFFO\n"
        f"SHOP_WAFFO = {{**SHOP_WAFFO, 'base_url': {values['base_url']!r},\n"
        f"    'hosted_origins': {values['hosted_origins']!r},\n"
        f"    'consumer_portal_url': {values['consumer_portal_url']!r},\n"
        f"    'webhook_public_keys': {dict(values['webhook_public_keys'])!r}}}\n",
        encoding="utf-8")
    sell_pro(fake)
    deliveries = [fake.signed(event) for event in fake.pending()]
    (tmp_path / "deliveries.json").write_text(json.dumps(
        [{"headers": d.headers, "body": d.body.decode()} for d in deliveries]))
    run = _run(["-c", DJANGO_SCRIPT, str(tmp_path / "deliveries.json")],
               {**env, "DJANGO_SETTINGS_MODULE": "shop_on_fake_waffo"})
    assert run.returncode == 0, run.stderr
    assert "waffo example ok" in run.stdout
