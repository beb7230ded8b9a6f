"""Why buyers leave: cancellation reasons and comments over a date range."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime

import attrs

from ..core.exceptions import ValidationError
from ..core.report_safety import csv_cell
from .context import Deps

NO_REASON = "(none given)"
CSV_HEADER = ("requested_at", "subscription_id", "plan_id", "reason", "comment")


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

    def csv_rows(self) -> Iterator[list[str]]:
        """The header, then one row per cancellation, every cell spreadsheet-safe: comments
        are the buyer's (or a provider's) text, opened by the merchant in Excel."""
        yield list(CSV_HEADER)
        for entry in self.entries:
            yield [csv_cell(cell) for cell in (entry.requested_at.isoformat(),
                                               entry.subscription_id, entry.plan_id,
                                               entry.reason, entry.comment)]


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
