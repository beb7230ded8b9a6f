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
link = http.post("/account/manage-subscription")["Location"]
assert link.startswith("http://127.0.0.1:8000/billing/login/confirm?token="), link
confirm = http.get(link)
assert confirm.status_code == 200 and b"csrf_token" in confirm.content
receipt = http.get("/emails/receipt").content.decode()
assert "Manage your subscription: http://127.0.0.1:8000/billing/login/confirm?token=" in receipt
assert "&amp;" not in receipt
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
