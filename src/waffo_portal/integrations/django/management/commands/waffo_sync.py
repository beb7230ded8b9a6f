"""``manage.py waffo_sync [--state FILE] [--restart] [--page-size N] [--kinds K,K]``:
read every plan and order from Waffo into the portal (``waffo-portal waffo sync``, the same
resumable run and output). Needs ``WAFFO_PORTAL["PROVIDER"]`` to be a WaffoProvider."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import CommandParser

from .....cli_waffo import KINDS, MAX_PAGE, run_waffo_sync
from ..base import PortalCommand


def page_size(text: str) -> int:
    try:
        size = int(text)
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_PAGE:
        raise argparse.ArgumentTypeError(f"a whole number between 1 and {MAX_PAGE}")
    return size


def kinds(text: str) -> list[str]:
    chosen = {kind.strip() for kind in text.split(",") if kind.strip()}
    if not chosen or chosen - set(KINDS):
        raise argparse.ArgumentTypeError(f"a comma-separated list of {', '.join(KINDS)}")
    return [kind for kind in KINDS if kind in chosen]  # subscriptions first, as Waffo's


class Command(PortalCommand):
    help = "Read every plan and order from Waffo into the portal (resumable with --state)."
    failure = "the sync is incomplete (see above); run it again"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--state", help="file keeping the cursor: a rerun continues "
                                            "after the last page applied")
        parser.add_argument("--restart", action="store_true",
                            help="start over, also when the state file says it finished")
        parser.add_argument("--page-size", type=page_size, default=100,
                            help=f"orders per GraphQL page (1-{MAX_PAGE}, default 100)")
        parser.add_argument("--kinds", type=kinds, default=list(KINDS),
                            help="which orders: subscription,onetime (default: both)")
        parser.add_argument("--no-progress", action="store_true",
                            help="no progress bar on stderr")

    def run(self, **options: Any) -> int:
        return self.run_cli(run_waffo_sync, state=options["state"],
                            restart=options["restart"], page_size=options["page_size"],
                            kinds=options["kinds"], no_progress=options["no_progress"])
