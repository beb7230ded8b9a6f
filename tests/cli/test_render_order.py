"""``render-invoice --order``: a real order's invoice from the standalone CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from waffo_portal.cli import main

from . import portal_under_test

APP = "tests.cli.portal_under_test:build"


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLI_TEST_DB", str(tmp_path / "cli.db"))


def test_renders_the_invoice_of_a_renewal(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--app", APP, "apply-due"]) == 0  # the renewal is a paid order
    order = portal_under_test.build().list_orders("buyer_1")[0]
    out = tmp_path / "invoice.pdf"
    assert main(["--app", APP, "render-invoice", "--order", order.id, "--buyer", "buyer_1",
                 "--locale", "fr", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")


def test_an_unknown_order_or_another_buyers_order_exits_1(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--app", APP, "apply-due"]) == 0
    order = portal_under_test.build().list_orders("buyer_1")[0]
    capsys.readouterr()
    for buyer, order_id in (("buyer_1", "ord_missing"), ("buyer_2", order.id)):
        assert main(["--app", APP, "render-invoice", "--order", order_id, "--buyer", buyer,
                     "-o", str(tmp_path / "x.pdf")]) == 1
        assert capsys.readouterr().err == "error: order not found\n"
    assert not (tmp_path / "x.pdf").exists()


def test_an_unsupported_locale_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render-invoice", "--demo", "--locale", "xx", "-o", "-"]) == 2
    assert capsys.readouterr().err == "error: unsupported locale 'xx'\n"
