"""The mail outbox on the Django ORM: claims lock with SKIP LOCKED where supported."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs
from django.db import connections, transaction
from django.db.models import F

from ...core.email import OutboxEmail
from ...stores import codec
from . import models as m


class OutboxMixin:
    using: str

    def _outbox(self) -> Any:
        return m.OutboxEmail.objects.using(self.using)

    def enqueue_email(self, item: OutboxEmail) -> None:
        self._outbox().create(**codec.outbox_values(item))

    def claim_due_emails(self, now: datetime, limit: int,
                         until: datetime) -> Sequence[OutboxEmail]:
        """PostgreSQL: SKIP LOCKED splits the due rows between senders; SQLite: the write
        transaction serialises them (give it ``transaction_mode: IMMEDIATE``)."""
        with transaction.atomic(using=self.using):
            query = self._outbox().filter(sent_at__isnull=True, next_attempt_at__lte=now)
            if connections[self.using].features.has_select_for_update_skip_locked:
                query = query.select_for_update(skip_locked=True)
            rows = list(query.order_by("next_attempt_at", "created_at", "id")[:limit])
            self._outbox().filter(id__in=[r.id for r in rows]).update(
                attempts=F("attempts") + 1, next_attempt_at=until)
        return [attrs.evolve(codec.outbox_from(r), attempts=r.attempts + 1,
                             next_attempt_at=until) for r in rows]

    def mark_email_sent(self, item_id: str, now: datetime) -> None:
        self._outbox().filter(id=item_id).update(sent_at=now, next_attempt_at=None,
                                                 body=None, last_error="")

    def mark_email_failed(self, item_id: str, next_attempt_at: datetime | None,
                          error: str) -> None:
        values: dict[str, Any] = {"next_attempt_at": next_attempt_at, "last_error": error}
        if next_attempt_at is None:
            values["body"] = None  # given up: nothing will send it
        self._outbox().filter(id=item_id, sent_at__isnull=True).update(**values)

    def prune_outbox(self, before: datetime) -> None:
        self._outbox().filter(next_attempt_at__isnull=True, created_at__lt=before).delete()

    def get_outbox_email(self, item_id: str) -> OutboxEmail | None:
        row = self._outbox().filter(id=item_id).first()
        return None if row is None else codec.outbox_from(row)
