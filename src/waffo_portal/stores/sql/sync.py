"""Sync revisions and the webhook inbox: one conditional statement each."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from . import schema as t
from .base import SqlBase

_revisions = t.sync_revisions
_inbox = t.webhook_inbox


class SyncMixin(SqlBase):
    def claim_revisions(self, kind: str, revisions: Mapping[str, int]) -> set[str]:
        """One ``INSERT … ON CONFLICT DO UPDATE … WHERE stored < new RETURNING`` for the
        whole batch, rows in id order: a conflicting row is locked until commit, so
        concurrent batches serialise per record and, locking in the same order, never
        deadlock. A row whose WHERE fails is not returned: that record is not written."""
        if not revisions:
            return set()
        rows = [{"kind": kind, "record_id": record_id, "revision": revision}
                for record_id, revision in sorted(revisions.items())]
        insert = self._insert(_revisions).values(rows)
        stmt = insert.on_conflict_do_update(
            index_elements=["kind", "record_id"],
            set_={"revision": insert.excluded.revision},
            where=_revisions.c.revision < insert.excluded.revision,
        ).returning(_revisions.c.record_id)
        with self._tx(write=True) as conn:
            return set(conn.execute(stmt).scalars())

    def record_delivery(self, source: str, delivery_id: str, event_type: str,
                        received_at: datetime) -> bool:
        stmt = (self._insert(_inbox)
                .values(source=source, delivery_id=delivery_id, event_type=event_type,
                        received_at=received_at)
                .on_conflict_do_nothing().returning(_inbox.c.delivery_id))
        with self._tx(write=True) as conn:
            return conn.execute(stmt).first() is not None
