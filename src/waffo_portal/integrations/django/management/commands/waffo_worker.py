"""``manage.py waffo_worker [--once] [--interval S]``: send the outbox's mail (login links),
retrying failures (``waffo-portal worker``, the same run and output), for
``MAIL_DELIVERY = "external"``; safe on several hosts at once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from .....cli_commands import add_worker_arguments, run_worker
from ..base import PortalCommand


class Command(PortalCommand):
    help = "Send the portal's outbox (login links), retrying failures."
    failure = "some emails were given up (see above)"

    def add_arguments(self, parser: CommandParser) -> None:
        add_worker_arguments(parser)

    def run(self, **options: Any) -> int:
        return self.run_cli(run_worker, **options)
