"""``manage.py waffo_cancellation_report [--since D] [--until D] [--format table|csv]``:
why buyers cancel (``waffo-portal cancellation-report``, the same output)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from .....cli_commands import run_cancellation_report
from ..base import PortalCommand, day


class Command(PortalCommand):
    help = "Why buyers cancel: reasons and comments over a date range."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=day, help="start (default: 30 days before --until)")
        parser.add_argument("--until", type=day, help="end, exclusive (default: now)")
        parser.add_argument("--format", choices=("table", "csv"), default="table")

    def run(self, **options: Any) -> int:
        return self.run_cli(run_cancellation_report, since=options["since"],
                            until=options["until"], format=options["format"])
