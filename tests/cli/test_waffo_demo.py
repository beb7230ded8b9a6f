"""``waffo-portal demo``: --provider picks the demo; without it nothing changed."""

from __future__ import annotations

import pytest

from waffo_portal import cli, cli_commands
from waffo_portal.demo import DEMO_ACCOUNTS
from waffo_portal.demo_server import banner


def test_the_demo_bills_through_the_test_gateway_unless_told() -> None:
    args = cli.build_parser().parse_args(["demo"])
    assert args.provider == "test" and args.port == 8000 and args.database == "demo.db"
    assert args.handler is cli.run_demo
    assert cli.build_parser().parse_args(["demo", "--provider", "waffo"]).provider == "waffo"


def test_an_unknown_provider_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["demo", "--provider", "stripe"])
    assert exited.value.code == 2
    assert "invalid choice: 'stripe'" in capsys.readouterr().err


def test_the_plain_banner_lists_the_seeded_buyers_as_before() -> None:
    text = banner("127.0.0.1", 8000)
    assert "Fake Waffo" not in text
    assert all(account.email in text for account in DEMO_ACCOUNTS)
    assert cli_commands.run_demo is not cli.run_demo  # the plain demo is still served there


def test_help_lists_the_waffo_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["waffo", "sync", "--help"])
    out = capsys.readouterr().out
    for option in ("--state", "--restart", "--page-size", "--kinds", "--no-progress"):
        assert option in out
