"""``manage.py waffo_cancellation_report [--since D] [--until D] [--format table|csv]``:
why buyers cancel (``waffo-portal cancellation-report``, the same output)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from .....cli_commands import add_cancellation_report_arguments, run_cancellation_report
from ..base import PortalCommand


class Command(PortalCommand):
    help = "Why buyers cancel: reasons and comments over a date range."

    def add_arguments(self, parser: CommandParser) -> None:
        add_cancellation_report_arguments(parser)

    def run(self, **options: Any) -> int:
        return self.run_cli(run_cancellation_report, **options)
