"""The mail outbox on SQL: claims are one transaction, SKIP LOCKED on PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs
from sqlalchemy import delete, select, update

from ...core.email import OutboxEmail
from .. import codec
from . import schema as t
from .base import SqlBase


class OutboxMixin(SqlBase):
    def enqueue_email(self, item: OutboxEmail) -> None:
        with self._tx(write=True) as conn:
            conn.execute(t.outbox.insert().values(codec.outbox_values(item)))

    def claim_due_emails(self, now: datetime, limit: int,
                         until: datetime) -> Sequence[OutboxEmail]:
        """PostgreSQL: due rows locked with SKIP LOCKED, so senders split them; READ
        COMMITTED re-checks the WHERE on a row another sender just claimed. SQLite: the
        write transaction (BEGIN IMMEDIATE) serialises senders."""
        box = t.outbox
        due = (select(box).where(box.c.sent_at.is_(None), box.c.next_attempt_at <= now)
               .order_by(box.c.next_attempt_at, box.c.created_at, box.c.id).limit(limit)
               .with_for_update(skip_locked=True))
        with self._tx(write=True) as conn:
            rows = conn.execute(due).all()
            if rows:
                conn.execute(update(box).values(attempts=box.c.attempts + 1,
                                                next_attempt_at=until)
                             .where(box.c.id.in_([r.id for r in rows])))
        items = [codec.outbox_from(r) for r in rows]
        return [_claimed(item, until) for item in items]

    def mark_email_sent(self, item_id: str, now: datetime) -> None:
        box = t.outbox
        with self._tx(write=True) as conn:
            conn.execute(update(box).values(sent_at=now, next_attempt_at=None, body=None,
                                            last_error="").where(box.c.id == item_id))

    def mark_email_failed(self, item_id: str, next_attempt_at: datetime | None,
                          error: str) -> None:
        box = t.outbox
        values: dict[str, object] = {"next_attempt_at": next_attempt_at, "last_error": error}
        if next_attempt_at is None:
            values["body"] = None  # given up: nothing will send it
        with self._tx(write=True) as conn:
            conn.execute(update(box).values(values)
                         .where(box.c.id == item_id, box.c.sent_at.is_(None)))

    def prune_outbox(self, before: datetime) -> None:
        box = t.outbox
        with self._tx(write=True) as conn:
            conn.execute(delete(box).where(box.c.next_attempt_at.is_(None),
                                           box.c.created_at < before))

    def get_outbox_email(self, item_id: str) -> OutboxEmail | None:
        box = t.outbox
        with self._tx(write=False) as conn:
            row = conn.execute(select(box).where(box.c.id == item_id)).first()
        return None if row is None else codec.outbox_from(row)


def _claimed(item: OutboxEmail, until: datetime) -> OutboxEmail:
    return attrs.evolve(item, attempts=item.attempts + 1, next_attempt_at=until)
