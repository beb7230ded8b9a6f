"""``waffo-portal demo --provider waffo`` in a subprocess: purchases made on the fake
Waffo arrive by webhook, a buyer logs in through the merchant's button, and a plan
change confirmed on the fake's page comes back by webhook."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
READY = "Waffo delivered"


class Banner:
    """The demo's stdout, read line by line in the background."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert process.stdout is not None
        stdout = process.stdout
        self.thread = threading.Thread(target=lambda: [self.lines.put(line) for line in stdout],
                                       daemon=True)
        self.thread.start()

    def until(self, text: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.seen):
            self.seen.append(self.lines.get(timeout=max(0.01, deadline - time.monotonic())))
        return "".join(self.seen)


@pytest.fixture(scope="module")
def demo() -> Iterator[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(
        [sys.executable, "-m", "waffo_portal.cli", "demo", "--provider", "waffo", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    banner = Banner(process)
    try:
        yield banner.until(READY)
    finally:
        process.terminate()
        process.wait(timeout=10)
        banner.thread.join(timeout=5)  # to the pipe's end, then close it
        assert process.stdout is not None
        process.stdout.close()


class Forms(HTMLParser):
    """Every form's action and its named inputs and buttons."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((values.get("action", ""), {}))
        elif tag in ("input", "button") and self.forms and values.get("name"):
            self.forms[-1][1].setdefault(values["name"], values.get("value", ""))

    def named(self, fragment: str) -> dict[str, str]:
        return next(fields for action, fields in self.forms if fragment in action)


def _url(banner: str, label: str) -> str:
    found = re.search(rf"{label}:\s+(http://127\.0\.0\.1:\d+)", banner)
    assert found is not None, banner
    return found.group(1)


def _log_in(client: httpx.Client, email: str) -> None:
    """The merchant's "Manage subscription" button: the hand-off lands inside, no confirm."""
    entered = client.post("/manage", data={"email": email})
    assert entered.status_code == 303, entered.text
    assert entered.headers["location"] == "/portal/subscriptions"
    inside = client.get(entered.headers["location"])
    assert inside.status_code == 200 and "/portal/logout" in inside.text, inside.text


def _wait_for(client: httpx.Client, path: str, text: str, timeout: float = 5.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        html = client.get(path).text
        if text in html or time.monotonic() > deadline:
            return html
        time.sleep(0.05)


def test_the_banner_names_the_portal_and_the_fake_waffo(demo: str) -> None:
    fake = _url(demo, "Fake Waffo")
    assert f"{_url(demo, 'Merchant home')}/portal/webhooks/waffo" in demo
    assert "upgrade" in demo and "confirm" in demo
    assert "Waffo consumer portal (fake)" in httpx.get(f"{fake}/consumer/portal/login").text
    assert re.search(r"Waffo delivered (\d+) webhooks to the portal \(\1 accepted", demo)


def test_purchases_arrived_by_webhook_and_the_button_logs_in(demo: str) -> None:
    with httpx.Client(base_url=_url(demo, "Merchant home")) as client:
        home = client.get("/").text
        assert home.count("Manage subscription") == 3 and "kenji@example.jp" in home
        assert client.post("/manage", data={"email": "nobody@example.com"}).status_code == 404
        _log_in(client, "ada@example.com")
        subscriptions = client.get("/portal/subscriptions").text
        assert "Pro" in subscriptions
        orders = client.get("/portal/orders").text
        assert "Onboarding workshop" in orders


def test_an_upgrade_confirmed_on_waffo_comes_back_by_webhook(demo: str) -> None:
    with httpx.Client(base_url=_url(demo, "Merchant home")) as client:
        _log_in(client, "kenji@example.jp")
        listing = client.get("/portal/subscriptions").text
        subscription = re.search(r"/portal/subscriptions/(ORD_\w+)", listing)
        assert subscription is not None and "Basic" in listing
        path = f"/portal/subscriptions/{subscription.group(1)}"
        choose = client.get(f"{path}/change").text
        pro = re.search(r'value="(PROD_\w+)"[^>]*>\s*<span class="plan-card-name"><bdi>Pro</bdi>',
                        choose)
        assert pro is not None, choose
        review = client.get(f"{path}/change/review", params={"plan": pro.group(1)})
        sent = client.post(f"{path}/change", data=Forms(review.text).named(f"{path}/change"),
                           headers={"Origin": str(client.base_url).rstrip("/")})
        assert sent.status_code == 303 and "/store/fake-store/change/" in sent.headers["location"]
        pending = client.get(path).text
        assert "<h1>Basic</h1>" in pending and "pending-change" in pending  # not switched yet
        waffo_page = sent.headers["location"].split("#")[0]
        assert "Change to Pro" in httpx.get(waffo_page).text
        back = httpx.post(waffo_page, data={"choice": "confirm"})
        assert back.status_code == 303 and back.headers["location"].endswith(path)
        switched = _wait_for(client, path, "<h1>Pro</h1>")
        assert "<h1>Pro</h1>" in switched and "pending-change" not in switched
