"""Reading Waffo's current state through the pinned GraphQL queries.

Webhooks only say *that* something changed; the adapter then reads the order as Waffo
has it now and syncs that, stamped with the time of the read. So a late, repeated or
reordered delivery can only ever write the state Waffo holds, and an older read never
overwrites a newer one (its revision is lower).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

import attrs

from ...core.exceptions import Conflict
from ...core.models import ScheduledChange
from ...core.sync import PlanRecord, SubscriptionRecord, SyncRecord, revision_at
from . import queries
from .client import WaffoClient
from .records import onetime_records, plan_records, subscription_records

PLAN_CACHE_SECONDS = 300.0


@attrs.frozen
class Page:
    records: list[SyncRecord]
    last_created_at: str | None  # the cursor of the next page; None: no more
    total: int  # orders the filter matches not read yet, this page's included
    orders: int  # orders new on this page
    seen: frozenset[str] = frozenset()  # ids read at ``last_created_at`` (for the next page)


MAX_PAGE_GROWTH = 10_000  # a page size to which one shared createdAt may grow a page


class WaffoReader:
    def __init__(self, client: WaffoClient,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.settings = client.settings
        self._monotonic = monotonic
        self._plans: dict[str, PlanRecord] = {}
        self._plans_read = float("-inf")
        self._catalog_due = False  # a fresh catalog not yet handed to a sync
        self._last_stamp = 0
        self._stamp_lock = threading.Lock()

    def stamp(self, now: datetime) -> int:
        """The revision of a read made at ``now``: its time in microseconds-ish units
        (ms x 1000), strictly increasing within the process, so that of two reads in
        the same millisecond (or under a frozen test clock) the later one wins."""
        with self._stamp_lock:
            self._last_stamp = max(revision_at(now) * 1000, self._last_stamp + 1)
            return self._last_stamp

    def plans(self, now: datetime, *, fresh: bool = False) -> list[PlanRecord]:
        """Every subscription product as a plan (read at most every five minutes)."""
        if fresh or self._monotonic() - self._plans_read > PLAN_CACHE_SECONDS:
            data = self.client.graphql(queries.PRODUCTS, {"storeId": self.settings.store_id})
            found = plan_records(data, self.settings.currency, self.settings.product_group,
                                 self.stamp(now))
            self._plans = {record.plan.id: record for record in found}
            self._plans_read = self._monotonic()
            self._catalog_due = True
        return list(self._plans.values())

    def plan_id_named(self, name: str, now: datetime) -> str | None:
        for fresh in (False, True):  # a product created since the last read: read again
            for record in self.plans(now, fresh=fresh):
                if record.plan.name == name:
                    return record.plan.id
        return None

    def _with_plans(self, records: list[SyncRecord], now: datetime) -> list[SyncRecord]:
        """The records with the plans they name, and the whole catalog after each fresh
        read of it (every five minutes: new and retired plans reach the plan picker, but
        a webhook does not rewrite the catalog every time)."""
        wanted: set[str] = set()
        for record in records:
            if isinstance(record, SubscriptionRecord):
                wanted.add(record.subscription.plan_id)
                if record.subscription.scheduled_change is not None:
                    wanted.add(record.subscription.scheduled_change.plan_id)
        known = {p.plan.id: p for p in self.plans(now)}
        if wanted - known.keys():
            known = {p.plan.id: p for p in self.plans(now, fresh=True)}
        if self._catalog_due:
            self._catalog_due = False
            wanted = set(known)
        return [*(known[plan_id] for plan_id in sorted(wanted) if plan_id in known), *records]

    def subscription(self, order_id: str, now: datetime, *,
                     scheduled: ScheduledChange | None = None) -> list[SyncRecord]:
        data = self.client.graphql(queries.SUBSCRIPTION_ORDER, {"id": order_id})
        node = data.get("subscriptionOrder")
        if not isinstance(node, Mapping):
            raise Conflict(key="provider.order_unknown", order_id=order_id)
        return self._with_plans(subscription_records(node, self.stamp(now),
                                                     scheduled=scheduled), now)

    def onetime(self, order_id: str, now: datetime) -> list[SyncRecord]:
        data = self.client.graphql(queries.ONETIME_ORDER, {"id": order_id})
        node = data.get("onetimeOrder")
        if not isinstance(node, Mapping):
            raise Conflict(key="provider.order_unknown", order_id=order_id)
        return onetime_records(node, self.stamp(now))

    def page(self, kind: str, after: str | None, limit: int, now: datetime,
             seen: frozenset[str] = frozenset()) -> Page:
        """One page of ``kind`` ("subscription" or "onetime") orders created at or after
        ``after``, oldest first, leaving out ``seen`` (those read already at ``after``).

        ``gte`` and not ``gt``: orders may share a creation time across a page boundary;
        a page made only of orders already read is asked again, twice as long."""
        query, field = ((queries.SUBSCRIPTION_ORDERS, "subscriptionOrders")
                        if kind == "subscription" else (queries.ONETIME_ORDERS, "onetimeOrders"))
        size = limit + len(seen)  # the orders at ``after`` come again: ask for them too
        while True:
            variables: dict[str, Any] = {
                "storeId": self.settings.store_id, "limit": size,
                "filter": {"createdAt": {"gte": after}} if after else None}
            data = self.client.graphql(query, variables)
            nodes = [n for n in data.get(field) or () if isinstance(n, Mapping)]
            fresh = [n for n in nodes
                     if not (str(n.get("createdAt")) == after and str(n.get("id")) in seen)]
            if fresh or len(nodes) < size or size >= MAX_PAGE_GROWTH:
                break
            size *= 2
        revision = self.stamp(now)
        records: list[SyncRecord] = []
        for node in fresh:
            records += (subscription_records(node, revision) if kind == "subscription"
                        else onetime_records(node, revision))
        full = len(nodes) == size
        last = str(nodes[-1].get("createdAt")) if full and nodes else None
        at_last = frozenset(str(n.get("id")) for n in nodes if str(n.get("createdAt")) == last)
        if last == after:
            at_last |= seen
        total = int(data.get(f"{field}Count") or 0) - (len(nodes) - len(fresh))
        return Page(records, last, total, len(fresh), at_last)

    def every_page(self, kind: str, after: str | None, limit: int,
                   now: Callable[[], datetime],
                   seen: frozenset[str] = frozenset()) -> Iterator[Page]:
        """Every page after the cursor (``after`` and the ids ``seen`` there): a resumed
        run continues exactly after the last page it applied."""
        while True:
            page = self.page(kind, after, limit, now(), seen)
            yield page
            if page.last_created_at is None:
                return
            after, seen = page.last_created_at, page.seen
