"""Sync revisions and the webhook inbox: one conditional statement each, built once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cached_property
from typing import Any

from . import schema as t
from .base import SqlBase

_revisions = t.sync_revisions
_inbox = t.webhook_inbox


class SyncMixin(SqlBase):
    @cached_property
    def _sync_statements(self) -> tuple[Any, Any]:
        """The two statements in this store's dialect, built once (executed with
        parameters, they skip SQLAlchemy's per-call statement building)."""
        insert = self._insert(_revisions)
        claim = insert.on_conflict_do_update(
            index_elements=["kind", "record_id"],
            set_={"revision": insert.excluded.revision},
            where=_revisions.c.revision < insert.excluded.revision,
        ).returning(_revisions.c.record_id)
        note = self._insert(_inbox).on_conflict_do_nothing().returning(_inbox.c.delivery_id)
        return claim, note

    def claim_revisions(self, kind: str, revisions: Mapping[str, int]) -> set[str]:
        """``INSERT … ON CONFLICT DO UPDATE … WHERE stored < new RETURNING``, rows in id
        order (SQLAlchemy sends them as multi-row VALUES): a conflicting row is locked
        until commit, so concurrent batches serialise per record and, locking in the same
        order, never deadlock. A row whose WHERE fails is not returned: that record is not
        written."""
        if not revisions:
            return set()
        claim, _ = self._sync_statements
        rows = [{"kind": kind, "record_id": record_id, "revision": revision}
                for record_id, revision in sorted(revisions.items())]
        with self._tx(write=True) as conn:
            if len(rows) == 1:
                return set(conn.execute(claim, rows[0]).scalars())
            return set(conn.execute(claim, rows).scalars())

    def record_delivery(self, source: str, delivery_id: str, event_type: str,
                        received_at: datetime) -> bool:
        _, note = self._sync_statements
        with self._tx(write=True) as conn:
            return conn.execute(note, {"source": source, "delivery_id": delivery_id,
                                       "event_type": event_type,
                                       "received_at": received_at}).first() is not None
