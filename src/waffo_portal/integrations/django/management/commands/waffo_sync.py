"""``manage.py waffo_sync [--state FILE] [--restart] [--page-size N] [--kinds K,K]``:
read every plan and order from Waffo into the portal (``waffo-portal waffo sync``, the same
options, resumable run and output). Needs ``WAFFO_PORTAL["PROVIDER"]`` to be a
WaffoProvider."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from .....cli_waffo import add_sync_arguments, run_waffo_sync
from ..base import PortalCommand


class Command(PortalCommand):
    help = "Read every plan and order from Waffo into the portal (resumable with --state)."
    failure = "the sync is incomplete (see above); run it again"

    def add_arguments(self, parser: CommandParser) -> None:
        add_sync_arguments(parser)

    def run(self, **options: Any) -> int:
        return self.run_cli(run_waffo_sync, **options)
