"""Why buyers leave: cancellation reasons and comments over a date range."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import attrs

from ..core.exceptions import ValidationError
from .context import Deps

NO_REASON = "(none given)"


@attrs.frozen
class CancellationEntry:
    requested_at: datetime
    subscription_id: str
    plan_id: str
    reason: str
    comment: str


@attrs.frozen
class CancellationReport:
    since: datetime
    until: datetime
    entries: tuple[CancellationEntry, ...]

    def counts(self) -> list[tuple[str, int]]:
        """Reasons, most frequent first (ties by name, so output is stable)."""
        counted = Counter(entry.reason for entry in self.entries)
        return sorted(counted.items(), key=lambda item: (-item[1], item[0]))


def cancellation_report(deps: Deps, since: datetime, until: datetime) -> CancellationReport:
    if until <= since:
        raise ValidationError({"until": "report.range_invalid"})
    entries = tuple(
        CancellationEntry(s.cancellation.requested_at, s.id, s.plan_id,
                          s.cancellation.reason or NO_REASON, s.cancellation.comment)
        for s in deps.store.list_cancellations(since, until)
        if s.cancellation is not None
    )
    return CancellationReport(since, until, entries)
