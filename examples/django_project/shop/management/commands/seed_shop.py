from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from waffo_portal.clock import SystemClock
from waffo_portal.demo import seed_demo
from waffo_portal.integrations.django import get_portal


class Command(BaseCommand):
    help = "Fill the portal's tables with the demo buyers (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        seeded = seed_demo(get_portal().store, SystemClock().now())
        self.stdout.write(f"seeded {len(seeded)} demo buyer(s)")
