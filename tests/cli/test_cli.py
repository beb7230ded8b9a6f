from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from waffo_portal.cli import main

from . import portal_under_test

APP = "tests.cli.portal_under_test:build"


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("CLI_TEST_DB", str(path))
    return path


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for command in ("demo", "render-invoice", "migrate", "apply-due", "create-login-link",
                    "cancellation-report", "worker"):
        assert command in out


def test_migrate_creates_and_is_idempotent(database: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{database}"
    assert main(["migrate", "--database", url]) == 0
    first = capsys.readouterr().out
    assert main(["migrate", "--database", url]) == 0
    assert capsys.readouterr().out == first
    assert first.startswith("database at revision ")


def test_apply_due_renews_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--app", APP, "apply-due"]) == 0
    assert capsys.readouterr().out.strip() == "renewed: 1"
    assert main(["--app", APP, "apply-due"]) == 0
    assert capsys.readouterr().out.strip() == "nothing was due"


def test_worker_once_delivers_the_due_mail(capsys: pytest.CaptureFixture[str]) -> None:
    portal = portal_under_test.build(mail_delivery="external")  # nothing sends on its own
    portal.request_login_link("ada@example.com", client_ip="203.0.113.7")
    portal_under_test.MAILER.outbox.clear()
    assert main(["--app", APP, "worker", "--once"]) == 0
    assert capsys.readouterr().out.strip() == "sent: 1, retrying: 0, given up: 0"
    assert [m.to for m in portal_under_test.MAILER.outbox] == ["ada@example.com"]
    assert main(["--app", APP, "worker", "--once"]) == 0  # sent once, not again
    assert capsys.readouterr().out.strip() == "sent: 0, retrying: 0, given up: 0"
    assert len(portal_under_test.MAILER.outbox) == 1


def test_create_login_link_prints_a_portal_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--app", APP, "create-login-link", "buyer_1", "--return-url",
                 "/billing/subscriptions"]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith("https://shop.example/billing/")
    assert "token=" in url


def test_unknown_buyer_is_one_line_and_non_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--app", APP, "create-login-link", "nobody"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_missing_app_is_a_clear_error(capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WAFFO_PORTAL_APP", raising=False)
    assert main(["apply-due"]) == 2
    assert "--app module:attribute" in capsys.readouterr().err


def test_cancellation_report_table_and_csv(capsys: pytest.CaptureFixture[str]) -> None:
    portal = portal_under_test.build()
    portal.cancel_subscription("buyer_1", "sub_1", reason="too_expensive",
                               comment="Too pricey, sorry", idempotency_key="cli-cancel-key-01")
    args = ["--app", APP, "cancellation-report", "--since", "2026-01-01", "--until",
            "2026-12-31"]
    assert main(args) == 0
    table = capsys.readouterr().out
    assert "Cancellations 2026-01-01 – 2026-12-31: 1" in table
    assert "too_expensive" in table and "Too pricey, sorry" in table
    assert main([*args, "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["requested_at", "subscription_id", "plan_id", "reason", "comment"]
    assert rows[1][1:] == ["sub_1", "basic-usd", "too_expensive", "Too pricey, sorry"]


def test_render_invoice_writes_a_readable_pdf(tmp_path: Path) -> None:
    out = tmp_path / "ja.pdf"
    assert main(["render-invoice", "--demo", "--locale", "ja", "-o", str(out)]) == 0
    text = PdfReader(out).pages[0].extract_text()
    assert "請求書" in text


def test_python_dash_m_reports_errors_as_one_line() -> None:
    result = subprocess.run([sys.executable, "-m", "waffo_portal.cli", "migrate"],
                            capture_output=True, text=True, check=False,
                            env={"PYTHONPATH": str(Path(__file__).parents[2] / "src")})
    assert result.returncode == 2
    assert result.stderr.strip() == "error: give --database URL (or set WAFFO_PORTAL_DATABASE)"


def test_create_login_link_defaults_to_the_overview(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--app", APP, "create-login-link", "buyer_1"]) == 0
    assert capsys.readouterr().out.startswith("https://shop.example/billing/")


def test_demo_serves_the_merchant_and_the_portal(tmp_path: Path) -> None:
    import threading
    import urllib.request
    from wsgiref.simple_server import make_server

    from waffo_portal.demo import demo_portal
    from waffo_portal.demo_server import DemoMerchant, QuietHandler, ThreadingWSGIServer

    portal = demo_portal(str(tmp_path / "demo.db"), port=0)
    server = make_server("127.0.0.1", 0, DemoMerchant(portal),
                         server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        home = urllib.request.urlopen(f"{base}/").read().decode()  # noqa: S310 - loopback
        assert "Manage subscription" in home and "kenji@example.jp" in home
        login = urllib.request.urlopen(f"{base}/portal/login").read().decode()  # noqa: S310
        assert 'name="email"' in login
    finally:
        server.shutdown()
        server.server_close()
    assert portal.find_buyer_by_email("hans@example.de") is not None


def test_the_demo_merchants_button_lands_inside_the_portal(tmp_path: Path) -> None:
    from werkzeug.test import Client

    from waffo_portal.demo import demo_portal
    from waffo_portal.demo_server import DemoMerchant

    shop = Client(DemoMerchant(demo_portal(str(tmp_path / "demo.db"), port=8000)))
    answer = shop.post("/manage", data={"email": "hans@example.de"},
                       base_url="http://127.0.0.1:8000")
    assert answer.status_code == 303 and answer.location.endswith("/portal/subscriptions")
    inside = shop.get("/portal/subscriptions", base_url="http://127.0.0.1:8000",
                      headers={"Accept-Language": "en"})
    assert inside.status_code == 200  # logged in: no sign-in page, no confirm click
    text = inside.get_data(as_text=True)
    assert 'class="back-to-merchant" href="/"' in text and "/portal/logout" in text
