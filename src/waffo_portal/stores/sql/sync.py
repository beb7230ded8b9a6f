"""Sync revisions and the webhook inbox: one conditional statement each, built once."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import select

from ...core.models import Buyer, Invoice, Order, Plan, Subscription, invoice_number
from ...core.plan_rules import check_plan_prices
from .. import codec
from . import schema as t
from .base import SqlBase

# From this many rows of one kind, COPY + INSERT ... SELECT beats an executemany (a webhook
# delivery's one or two records take the four extra round trips of the COPY otherwise).
COPY_FROM = 64
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
        ordered = sorted(revisions.items())
        if self._postgres and len(ordered) > 1:
            return self._claim_unnested(kind, ordered)
        claim, _ = self._sync_statements
        rows = [{"kind": kind, "record_id": record_id, "revision": revision}
                for record_id, revision in ordered]
        with self._tx(write=True) as conn:
            if len(rows) == 1:
                return set(conn.execute(claim, rows[0]).scalars())
            return set(conn.execute(claim, rows).scalars())

    def _claim_unnested(self, kind: str, ordered: Sequence[tuple[str, int]]) -> set[str]:
        """PostgreSQL: the whole batch as two array parameters, one statement (a
        multi-row VALUES of 5,000 rows cost more to build and parse than to run)."""
        with self._tx(write=True) as conn:
            rows = conn.exec_driver_sql(
                f"INSERT INTO {_revisions.name} (kind, record_id, revision) "  # noqa: S608
                "SELECT %(kind)s, u.record_id, u.revision FROM unnest(%(ids)s::text[], "
                "%(revisions)s::bigint[]) AS u(record_id, revision) ORDER BY u.record_id "
                "ON CONFLICT (kind, record_id) DO UPDATE SET revision = excluded.revision "
                f"WHERE {_revisions.name}.revision < excluded.revision RETURNING record_id",
                {"kind": kind, "ids": [i for i, _ in ordered],
                 "revisions": [r for _, r in ordered]})
            return set(rows.scalars())

    def record_delivery(self, source: str, delivery_id: str, event_type: str,
                        received_at: datetime) -> bool:
        _, note = self._sync_statements
        with self._tx(write=True) as conn:
            return conn.execute(note, {"source": source, "delivery_id": delivery_id,
                                       "event_type": event_type,
                                       "received_at": received_at}).first() is not None

    # Bulk writes for the sync API (``ports.BulkSyncWrites``): on PostgreSQL a COPY into
    # a temporary table, then one INSERT … SELECT … ON CONFLICT; on SQLite one executemany.
    def _upsert_many(self, table: Any, items: Sequence[Any],
                     values: Callable[[Any], dict[str, Any]],
                     on_conflict: Mapping[str, str] | None = None) -> None:
        if not items:
            return
        rows = [values(item) for item in items]
        if self._postgres and len(rows) >= COPY_FROM:
            self._copy_upsert(table, rows, on_conflict or {})
            return
        stmt = self._upsert_statement(table, tuple(rows[0]))
        with self._tx(write=True) as conn:
            conn.execute(stmt, rows)

    def _copy_upsert(self, table: Any, rows: Sequence[Mapping[str, Any]],
                     on_conflict: Mapping[str, str]) -> None:
        """``on_conflict``: SQL for columns that are not simply replaced (a version bump)."""
        columns = list(rows[0])
        keys = [column.name for column in table.primary_key.columns]
        names = ", ".join(columns)
        changes = ", ".join(f"{c} = {on_conflict.get(c, f'excluded.{c}')}"
                            for c in columns if c not in keys)
        temp = f"waffo_copy_{table.name}"
        with self._tx(write=True) as conn:
            driver = conn.connection.driver_connection
            assert driver is not None
            with driver.cursor() as cursor:
                cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {temp} (LIKE {table.name}) "
                               "ON COMMIT DELETE ROWS")
                with cursor.copy(f"COPY {temp} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([_copyable(row[c]) for c in columns])
                cursor.execute(
                    f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {temp} "  # noqa: S608
                    f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {changes}")
                cursor.execute(f"TRUNCATE {temp}")

    def save_plans(self, plans: Sequence[Plan]) -> None:
        check_plan_prices(plans)  # all before the first row is copied
        self._upsert_many(t.plans, plans, codec.plan_values)

    def save_buyers(self, buyers: Sequence[Buyer]) -> None:
        self._upsert_many(t.buyers, buyers, codec.buyer_values)

    def save_orders(self, orders: Sequence[Order]) -> None:
        self._upsert_many(t.orders, orders, codec.order_values)

    def save_invoices(self, invoices: Sequence[Invoice]) -> None:
        self._upsert_many(t.invoices, invoices, codec.invoice_values)

    def issue_invoices(self, orders: Sequence[Order], prefix: str) -> None:
        """One locked bump of the prefix's counter for the whole batch, then one insert of
        all rows: gap-free like ``issue_invoice``, in a few statements instead of three per
        order."""
        if not orders:
            return
        with self._tx(write=True) as conn:
            last = self._lock_invoice_counter(conn, prefix)
            # Read under the lock: a concurrent batch may have numbered some meanwhile.
            numbered = set(conn.execute(select(t.invoices.c.order_id).where(
                t.invoices.c.order_id.in_([o.id for o in orders]))).scalars())
            fresh = [o for o in orders if o.id not in numbered]
            if not fresh:
                return
            self._set_invoice_counter(conn, prefix, last + len(fresh))
            # A plain insert: an invoice that appeared meanwhile (a provider's, written by
            # a concurrent batch) fails the batch loudly instead of being overwritten.
            conn.execute(t.invoices.insert(), [codec.invoice_values(Invoice(
                number=invoice_number(prefix, last + index), order_id=order.id,
                buyer_id=order.buyer_id, issued_at=order.created_at,
                billing_details=order.billing_details))
                for index, order in enumerate(fresh, start=1)])

    @cached_property
    def _replace_subscription(self) -> Any:
        subs = t.subscriptions
        insert = self._insert(subs)
        columns = [c.name for c in subs.c if c.name not in ("id", "version", "lease_holder",
                                                             "lease_until")]
        return insert.on_conflict_do_update(
            index_elements=["id"],
            set_={**{name: insert.excluded[name] for name in columns},
                  "version": subs.c.version + 1})

    def replace_subscriptions(self, subscriptions: Sequence[Subscription]) -> None:
        if not subscriptions:
            return
        rows = [{**codec.subscription_values(s), "version": 1} for s in subscriptions]
        if self._postgres and len(rows) >= COPY_FROM:
            bump = {"version": f"{t.subscriptions.name}.version + 1"}
            self._copy_upsert(t.subscriptions, rows, bump)
            return
        with self._tx(write=True) as conn:
            conn.execute(self._replace_subscription, rows)


def _copyable(value: Any) -> Any:
    """A value as COPY takes it: JSON columns as their text."""
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return value
