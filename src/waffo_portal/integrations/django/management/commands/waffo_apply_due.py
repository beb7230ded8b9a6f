"""``manage.py waffo_apply_due [--now ISO]``: renewals, scheduled plan changes and
cancellations that are due (``waffo-portal apply-due``, the same run and output; for cron,
safe on several hosts)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from .....cli_commands import add_apply_due_arguments, run_apply_due
from ..base import PortalCommand


class Command(PortalCommand):
    help = "Apply due renewals, scheduled plan changes and cancellations."
    failure = "some subscriptions failed (counted above as error/payment_error)"

    def add_arguments(self, parser: CommandParser) -> None:
        add_apply_due_arguments(parser)

    def run(self, **options: Any) -> int:
        return self.run_cli(run_apply_due, **options)
