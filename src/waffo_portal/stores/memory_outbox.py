"""The in-memory store's mail outbox (a part of ``MemoryStore``, kept apart by topic)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs

from ..core.email import OutboxEmail


class MemoryOutbox:
    """Needs the store's re-entrant ``_lock`` and its tables ``_t`` (with "outbox")."""

    _lock: threading.RLock

    @property
    def _t(self) -> dict[str, Any]:
        raise NotImplementedError

    def enqueue_email(self, item: OutboxEmail) -> None:
        with self._lock:
            self._t["outbox"][item.id] = item

    def claim_due_emails(self, now: datetime, limit: int,
                         until: datetime) -> Sequence[OutboxEmail]:
        with self._lock:
            due = sorted((e for e in self._t["outbox"].values() if e.sent_at is None
                          and e.next_attempt_at is not None and e.next_attempt_at <= now),
                         key=lambda e: (e.next_attempt_at, e.created_at, e.id))[:limit]
            claimed = [attrs.evolve(e, attempts=e.attempts + 1, next_attempt_at=until)
                       for e in due]
            for item in claimed:
                self._t["outbox"][item.id] = item
            return claimed

    def mark_email_sent(self, item_id: str, now: datetime) -> None:
        with self._lock:
            item = self._t["outbox"].get(item_id)
            if item is not None:
                self._t["outbox"][item_id] = attrs.evolve(
                    item, sent_at=now, next_attempt_at=None, last_error="",
                    message=attrs.evolve(item.message, text="", html=""))

    def mark_email_failed(self, item_id: str, next_attempt_at: datetime | None,
                          error: str) -> None:
        with self._lock:
            item = self._t["outbox"].get(item_id)
            if item is not None and item.sent_at is None:
                message = item.message if next_attempt_at is not None else attrs.evolve(
                    item.message, text="", html="")
                self._t["outbox"][item_id] = attrs.evolve(
                    item, next_attempt_at=next_attempt_at, last_error=error, message=message)

    def prune_outbox(self, before: datetime) -> None:
        with self._lock:
            box = self._t["outbox"]
            for item_id in [i.id for i in box.values()
                            if i.next_attempt_at is None and i.created_at < before]:
                del box[item_id]

    def get_outbox_email(self, item_id: str) -> OutboxEmail | None:
        with self._lock:
            item: OutboxEmail | None = self._t["outbox"].get(item_id)
            return item
