"""The Django example runs in its own process (its settings, not the test suite's)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from .helpers import EXAMPLES

PROJECT = EXAMPLES / "django_project"
SRC = Path(__file__).resolve().parents[2] / "src"

SCRIPT = """
import django, os
django.setup()
from django.test import Client
http = Client()
home = http.get("/")
assert b"Manage subscription" in home.content and b"Hello Ada" in home.content, home.content
assert b'<form method="post" action="/account/manage-subscription">' in home.content
handed_over = http.post("/account/manage-subscription")
assert handed_over.status_code == 303, handed_over
assert handed_over["Location"] == "/billing/subscriptions", handed_over["Location"]
assert "shop_portal" in handed_over.cookies
page = http.get("/billing/subscriptions")
text = page.content.decode()
assert page.status_code == 200 and "Pro" in text, text
assert "Sign in to your billing portal" not in text
assert 'class="back-to-merchant" href="/"' in text  # branding.merchant_url
receipt = http.get("/emails/receipt").content.decode()
prefix = "Manage your subscription: http://127.0.0.1:8000/billing/login?prefill="
assert prefix in receipt, receipt
assert "&amp;" not in receipt
link = receipt.split(prefix, 1)[1].split()[0]
signed_out = Client()
login = signed_out.get("/billing/login?prefill=" + link)
assert login.status_code == 200 and b'value="ada@example.com"' in login.content
assert "shop_portal" not in login.cookies
print("example ok")
"""


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_readme_steps_and_manage_subscription(tmp_path: Path) -> None:
    env = {**os.environ, "SHOP_DB": str(tmp_path / "shop.sqlite3"),
           "PYTHONPATH": os.pathsep.join([str(SRC), str(PROJECT)]),
           "DJANGO_SETTINGS_MODULE": "shop.settings", "PYTHONWARNINGS": "error"}
    for step in (["check", "--fail-level", "WARNING"], ["migrate"], ["seed_shop"]):
        result = manage(*step, env=env)
        assert result.returncode == 0, (step, result.stdout, result.stderr)
    assert re.search(r"seeded [1-9][0-9]* demo buyer", result.stdout), result.stdout
    run = subprocess.run([sys.executable, "-c", SCRIPT], cwd=PROJECT, env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert "example ok" in run.stdout
