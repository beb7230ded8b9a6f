"""Reading Waffo's current state through the pinned GraphQL queries.

Webhooks only say *that* something changed; the adapter then reads the order as Waffo
has it now and syncs that, stamped with the time of the read. So a late, repeated or
reordered delivery can only ever write the state Waffo holds, and an older read never
overwrites a newer one (its revision is lower).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime

import attrs

from ...core.exceptions import Conflict, PortalError, ValidationError
from ...core.models import ScheduledChange
from ...core.sync import PlanRecord, SubscriptionRecord, SyncRecord, revision_at
from . import queries
from .client import WaffoClient
from .records import onetime_records, plan_records, subscription_records
from .shapes import Node, nodes, unreadable

log = logging.getLogger("waffo_portal.providers.waffo")

PLAN_CACHE_SECONDS = 300.0


@attrs.frozen
class Page:
    records: list[SyncRecord]
    last_created_at: str | None  # the cursor of the next page; None: no more
    total: int  # orders the filter matches not read yet, this page's included
    orders: int  # orders new on this page
    seen: frozenset[str] = frozenset()  # ids read at ``last_created_at`` (for the next page)
    skipped: tuple[tuple[str, dict[str, str]], ...] = ()  # unreadable orders: id, problems


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

    def _one(self, query: str, field: str, order_id: str) -> Node:
        data = self.client.graphql(query, {"id": order_id})
        order = data.get(field)
        if not isinstance(order, Mapping):  # not (yet) visible: Waffo should deliver again
            raise Conflict(key="provider.order_unknown", order_id=order_id)
        if order.get("id") != order_id:
            raise unreadable("id")
        return order

    def subscription(self, order_id: str, now: datetime, *,
                     scheduled: ScheduledChange | None = None,
                     resolves_pending: bool = False) -> list[SyncRecord]:
        order = self._one(queries.SUBSCRIPTION_ORDER, "subscriptionOrder", order_id)
        return self._with_plans(subscription_records(
            order, self.stamp(now), scheduled=scheduled, resolves_pending=resolves_pending),
            now)

    def onetime(self, order_id: str, now: datetime) -> list[SyncRecord]:
        order = self._one(queries.ONETIME_ORDER, "onetimeOrder", order_id)
        return onetime_records(order, self.stamp(now))

    def _fetch(self, kind: str, after: str | None,
               size: int) -> tuple[list[Node], int | None]:
        query, field = ((queries.SUBSCRIPTION_ORDERS, "subscriptionOrders")
                        if kind == "subscription" else (queries.ONETIME_ORDERS, "onetimeOrders"))
        data = self.client.graphql(query, {
            "storeId": self.settings.store_id, "limit": size,
            "filter": {"createdAt": {"gte": after}} if after else None})
        found = nodes(data.get(field), field)
        stamps = [str(order.get("createdAt")) for order in found]
        # The cursor is only sound if Waffo lists oldest first from the cursor on.
        if stamps != sorted(stamps) or (after is not None and stamps and stamps[0] < after):
            raise PortalError(f"Waffo listed {field} out of creation order: the paged "
                              "backfill cannot continue (see docs/waffo.md, assumptions)")
        count = data.get(f"{field}Count")
        return found, count if isinstance(count, int) and not isinstance(count, bool) else None

    def page(self, kind: str, after: str | None, limit: int, now: datetime,
             seen: frozenset[str] = frozenset()) -> Page:
        """One page of ``kind`` ("subscription" or "onetime") orders created at or after
        ``after``, oldest first, leaving out ``seen`` (those read already at ``after``).

        ``gte`` and not ``gt``: orders may share a creation time across a page boundary.
        An order that cannot be read is left out and named in ``Page.skipped``: one bad
        order must not stop the backfill of all the others."""
        size = limit + len(seen)  # the orders at ``after`` come again: ask for them too
        while True:
            found, count = self._fetch(kind, after, size)
            fresh = [order for order in found if not (
                str(order.get("createdAt")) == after and str(order.get("id")) in seen)]
            if fresh or len(found) < size or size >= MAX_PAGE_GROWTH:
                break
            size *= 2  # only orders read already: one instant holds more than a page
        revision = self.stamp(now)
        records: list[SyncRecord] = []
        skipped: list[tuple[str, dict[str, str]]] = []
        for order in fresh:
            try:
                records += (subscription_records(order, revision) if kind == "subscription"
                            else onetime_records(order, revision))
            except ValidationError as error:
                skipped.append((str(order.get("id")), dict(error.keys)))
                log.warning("Waffo order %r left out of the sync: %s", order.get("id"),
                            error.keys)
        if count is None:  # no count: a full page means there may be more
            remaining = len(fresh) + (1 if len(found) == size else 0)
        else:  # what this filter holds that is new to us
            remaining = count - (len(found) - len(fresh))
        last = str(found[-1].get("createdAt")) if found and remaining > len(fresh) else None
        at_last = frozenset(str(o.get("id")) for o in found if str(o.get("createdAt")) == last)
        if last is not None and last == after:
            at_last |= seen
        return Page(records, last, remaining, len(fresh), at_last, tuple(skipped))

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
