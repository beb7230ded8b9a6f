from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from waffo_portal.clock import SystemClock
from waffo_portal.demo import seed_demo
from waffo_portal.integrations.django.store import DjangoStore


class Command(BaseCommand):
    help = "Fill the portal's tables with the demo buyers (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        # The portal's own tables, written directly: the store the settings build by default.
        seeded = seed_demo(DjangoStore(), SystemClock().now())
        self.stdout.write(f"seeded {len(seeded)} demo buyer(s)")
