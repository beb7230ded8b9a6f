"""``manage.py waffo_apply_due [--now ISO]``: renewals, scheduled plan changes and
cancellations that are due (``waffo-portal apply-due``; for cron, safe on several hosts)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from ...conf import get_portal
from ..base import PortalCommand, day


class Command(PortalCommand):
    help = "Apply due renewals, scheduled plan changes and cancellations."
    failure = "some subscriptions failed (counted above as error/payment_error)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", type=day, help="pretend it is this time (ISO 8601)")

    def run(self, **options: Any) -> int:
        portal = get_portal()
        if portal.provider_mode:
            self.stdout.write("nothing to apply: the billing provider of record renews "
                              "and cancels, and its webhooks bring the changes")
            return 0
        report = portal.apply_due(options["now"])
        summary = ", ".join(f"{name}: {count}" for name, count in sorted(report.counts.items()))
        self.stdout.write(summary or "nothing was due")
        return 1 if report.counts.get("error") or report.counts.get("payment_error") else 0
