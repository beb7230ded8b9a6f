"""A complete in-memory Store: for tests, examples and single-process demos.

All state sits in plain dicts behind one re-entrant lock; ``atomic()`` holds the
lock and restores a snapshot if the block raises, so a failed use case leaves
nothing half-written.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import attrs

from ..core.auth_models import BuyerSession, LoginLink
from ..core.exceptions import Conflict, IdempotencyKeyReused
from ..core.models import (
    DUE_STATUSES,
    AuditEvent,
    BillingDetails,
    Buyer,
    Invoice,
    Order,
    Payment,
    Plan,
    Subscription,
    invoice_number,
    normalize_email,
)
from ..core.plan_rules import check_plan_price
from .memory_outbox import MemoryOutbox


@attrs.define
class _IdempotencyRow:
    fingerprint: str
    result: str | None


class MemoryStore(MemoryOutbox):
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._depth = 0
        self._tables: dict[str, Any] = {
            "buyers": {}, "emails": {}, "billing": {}, "plans": {}, "subs": {}, "leases": {},
            "orders": {}, "payments": {}, "invoices": {}, "sequences": {}, "idem": {},
            "links": {}, "sessions": {}, "attempts": {}, "attempt_expiry": {}, "audit": [],
            "revisions": {},
            "inbox": {}, "outbox": {},
        }
        self._after_commit: list[Callable[[], None]] = []

    @contextmanager
    def atomic(self) -> Iterator[None]:
        with self._lock:
            outermost = self._depth == 0
            snapshot = copy.deepcopy(self._tables) if outermost else None
            self._depth += 1
            try:
                yield
            except BaseException:
                if snapshot is not None:
                    self._tables = snapshot
                    self._after_commit.clear()
                raise
            finally:
                self._depth -= 1
            callbacks: list[Callable[[], None]] = []
            if outermost:
                callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:  # outside the lock: a callback may use the store
            callback()

    def on_commit(self, callback: Callable[[], None]) -> None:
        with self._lock:
            if self._depth == 0:
                pending = False
            else:
                self._after_commit.append(callback)
                pending = True
        if not pending:
            callback()

    # Sync revisions and the webhook inbox
    def claim_revisions(self, kind: str, revisions: Mapping[str, int]) -> set[str]:
        with self._lock:
            stored = self._t["revisions"]
            claimed = set()
            for record_id, revision in revisions.items():
                if stored.get((kind, record_id), -1) < revision:
                    stored[(kind, record_id)] = revision
                    claimed.add(record_id)
            return claimed

    def record_delivery(self, source: str, delivery_id: str, event_type: str,
                        received_at: datetime) -> bool:
        with self._lock:
            if (source, delivery_id) in self._t["inbox"]:
                return False
            self._t["inbox"][(source, delivery_id)] = (event_type, received_at)
            return True

    @property
    def _t(self) -> dict[str, Any]:
        return self._tables

    # Buyers and billing details
    def get_buyer(self, buyer_id: str) -> Buyer | None:
        with self._lock:
            return self._t["buyers"].get(buyer_id)  # type: ignore[no-any-return]

    def find_buyer_by_email(self, email: str) -> Buyer | None:
        # Emails are not unique: of several buyers, the lowest id, as the SQL stores do
        # (the "emails" index keeps only the last one saved). Only a login looks this up.
        wanted = normalize_email(email)
        with self._lock:
            matches = [b for b in self._t["buyers"].values()
                       if normalize_email(b.email) == wanted]
            return min(matches, key=lambda b: b.id, default=None)

    def save_buyer(self, buyer: Buyer) -> None:
        with self._lock:
            old = self._t["buyers"].get(buyer.id)
            if old is not None:
                self._t["emails"].pop(normalize_email(old.email), None)
            self._t["buyers"][buyer.id] = buyer
            self._t["emails"][normalize_email(buyer.email)] = buyer.id

    def get_billing_details(self, buyer_id: str) -> BillingDetails | None:
        with self._lock:
            return self._t["billing"].get(buyer_id)  # type: ignore[no-any-return]

    def save_billing_details(self, buyer_id: str, details: BillingDetails) -> None:
        with self._lock:
            self._t["billing"][buyer_id] = details

    # Plans
    def get_plan(self, plan_id: str) -> Plan | None:
        with self._lock:
            return self._t["plans"].get(plan_id)  # type: ignore[no-any-return]

    def list_plans(self, product_group: str) -> Sequence[Plan]:
        with self._lock:
            plans = [p for p in self._t["plans"].values() if p.product_group == product_group]
        return sorted(plans, key=lambda p: (p.price_per_day(), p.id))

    def save_plan(self, plan: Plan) -> None:
        check_plan_price(plan)
        with self._lock:
            self._t["plans"][plan.id] = plan

    # Subscriptions
    def get_subscription(self, subscription_id: str) -> Subscription | None:
        with self._lock:
            return self._t["subs"].get(subscription_id)  # type: ignore[no-any-return]

    def list_subscriptions(self, buyer_id: str) -> Sequence[Subscription]:
        with self._lock:
            subs = [s for s in self._t["subs"].values() if s.buyer_id == buyer_id]
        return sorted(subs, key=lambda s: (s.created_at, s.id), reverse=True)

    def list_subscriptions_with_plans(
            self, buyer_id: str) -> Sequence[tuple[Subscription, Plan | None]]:
        with self._lock:  # one snapshot, like the SQL store's single SELECT
            return [(s, self.get_plan(s.plan_id)) for s in self.list_subscriptions(buyer_id)]

    def list_cancellations(self, since: datetime, until: datetime,
                           limit: int = 10_000) -> Sequence[Subscription]:
        with self._lock:
            found = [s for s in self._t["subs"].values() if s.cancellation is not None
                     and since <= s.cancellation.requested_at < until]
        found.sort(key=lambda s: (s.cancellation.requested_at, s.id))
        return found[:limit]

    def save_subscription(self, subscription: Subscription) -> Subscription:
        with self._lock:
            current = self._t["subs"].get(subscription.id)
            stored_version = 0 if current is None else current.version
            if subscription.version != stored_version:
                raise Conflict("The subscription was changed meanwhile; reload and try again",
                               subscription_id=subscription.id)
            saved = attrs.evolve(subscription, version=stored_version + 1)
            self._t["subs"][subscription.id] = saved
            return saved

    def lease_subscription(self, subscription_id: str, holder: str, until: datetime,
                           now: datetime) -> bool:
        with self._lock:
            lease = self._t["leases"].get(subscription_id)
            if lease is not None and lease[0] != holder and lease[1] > now:
                return False
            self._t["leases"][subscription_id] = (holder, until)
            return True

    def release_subscription(self, subscription_id: str, holder: str) -> None:
        with self._lock:
            lease = self._t["leases"].get(subscription_id)
            if lease is not None and lease[0] == holder:
                del self._t["leases"][subscription_id]

    def lease_due_subscriptions(self, now: datetime, limit: int, holder: str,
                                until: datetime) -> Sequence[Subscription]:
        with self._lock:
            due = sorted(
                (s for s in self._t["subs"].values()
                 if s.status in DUE_STATUSES and s.current_period_end <= now),
                key=lambda s: (s.current_period_end, s.id),
            )
            leased: list[Subscription] = []
            for subscription in due:
                if len(leased) == limit:
                    break
                if self.lease_subscription(subscription.id, holder, until, now):
                    leased.append(subscription)
            return leased

    # Orders and payments
    def save_order(self, order: Order) -> None:
        with self._lock:
            self._t["orders"][order.id] = order

    def get_order(self, order_id: str) -> Order | None:
        with self._lock:
            return self._t["orders"].get(order_id)  # type: ignore[no-any-return]

    def list_orders(self, buyer_id: str, limit: int,
                    before: tuple[datetime, str] | None = None) -> Sequence[Order]:
        with self._lock:
            orders = [o for o in self._t["orders"].values() if o.buyer_id == buyer_id
                      and (before is None or (o.created_at, o.id) < before)]
        orders.sort(key=lambda o: (o.created_at, o.id), reverse=True)
        return orders[:limit]

    def save_payment(self, payment: Payment) -> None:
        with self._lock:
            self._t["payments"][payment.id] = payment

    def list_payments(self, order_id: str) -> Sequence[Payment]:
        with self._lock:
            found = [p for p in self._t["payments"].values() if p.order_id == order_id]
        return sorted(found, key=lambda p: (p.created_at, p.id))

    # Invoices
    def issue_invoice(self, order: Order, prefix: str, issued_at: datetime) -> Invoice:
        with self._lock:
            existing = self._t["invoices"].get(order.id)
            if existing is not None:
                return existing  # type: ignore[no-any-return]
            number = self._t["sequences"].get(prefix, 0) + 1
            self._t["sequences"][prefix] = number
            invoice = Invoice(number=invoice_number(prefix, number), order_id=order.id,
                              buyer_id=order.buyer_id, issued_at=issued_at,
                              billing_details=order.billing_details)
            self._t["invoices"][order.id] = invoice
            return invoice

    def get_invoice(self, order_id: str) -> Invoice | None:
        with self._lock:
            return self._t["invoices"].get(order_id)  # type: ignore[no-any-return]

    def save_invoice(self, invoice: Invoice) -> None:
        with self._lock:
            self._t["invoices"][invoice.order_id] = invoice

    # Idempotency
    def begin_idempotent(self, scope: str, key: str, fingerprint: str,
                         now: datetime) -> str | None:
        with self._lock:
            row: _IdempotencyRow | None = self._t["idem"].get((scope, key))
            if row is None:
                self._t["idem"][(scope, key)] = _IdempotencyRow(fingerprint, None)
                return None
            if row.fingerprint != fingerprint:
                raise IdempotencyKeyReused(
                    "This request key was already used for another request", scope=scope)
            if row.result is None:
                raise Conflict("The same request is already being processed", scope=scope)
            return row.result

    def finish_idempotent(self, scope: str, key: str, result: str) -> None:
        with self._lock:
            self._t["idem"][(scope, key)].result = result

    def abandon_idempotent(self, scope: str, key: str) -> None:
        with self._lock:
            row = self._t["idem"].get((scope, key))
            if row is not None and row.result is None:
                del self._t["idem"][(scope, key)]

    # Login links, sessions, rate limits
    def save_login_link(self, link: LoginLink) -> None:
        with self._lock:
            self._t["links"][link.id] = link

    def get_login_link(self, link_id: str) -> LoginLink | None:
        with self._lock:
            return self._t["links"].get(link_id)  # type: ignore[no-any-return]

    def consume_login_link(self, link_id: str, now: datetime) -> LoginLink | None:
        with self._lock:
            link: LoginLink | None = self._t["links"].get(link_id)
            if link is None or not link.usable(now):
                return None
            used = attrs.evolve(link, used_at=now)
            self._t["links"][link_id] = used
            return used

    def revoke_login_links(self, buyer_id: str, now: datetime) -> None:
        with self._lock:
            for link_id, link in list(self._t["links"].items()):
                if link.buyer_id == buyer_id and link.used_at is None and link.revoked_at is None:
                    self._t["links"][link_id] = attrs.evolve(link, revoked_at=now)

    def save_session(self, session: BuyerSession) -> None:
        with self._lock:
            self._t["sessions"][session.id_hash] = session

    def get_session(self, id_hash: str) -> BuyerSession | None:
        with self._lock:
            return self._t["sessions"].get(id_hash)  # type: ignore[no-any-return]

    def revoke_session(self, id_hash: str, now: datetime) -> None:
        with self._lock:
            session = self._t["sessions"].get(id_hash)
            if session is not None and session.revoked_at is None:
                self._t["sessions"][id_hash] = attrs.evolve(session, revoked_at=now)

    def revoke_buyer_sessions(self, buyer_id: str, now: datetime) -> None:
        with self._lock:
            for id_hash, session in list(self._t["sessions"].items()):
                if session.buyer_id == buyer_id and session.revoked_at is None:
                    self._t["sessions"][id_hash] = attrs.evolve(session, revoked_at=now)

    def count_attempt(self, bucket: str, window: timedelta, now: datetime,
                      limit: int | None = None) -> int:
        with self._lock:
            attempts = self._t["attempts"]
            recent = [t for t in attempts.get(bucket, []) if t > now - window]
            if limit is not None and len(recent) >= limit:
                return limit + 1
            recent.append(now)
            attempts[bucket] = recent
            expiry = self._t["attempt_expiry"]
            expiry[bucket] = now + window
            # Drop buckets whose window has passed, so one-off buckets never pile up.
            for stale in [b for b, until in expiry.items() if until <= now]:
                del expiry[stale]
                attempts.pop(stale, None)
            return len(recent)

    # Audit
    def add_audit_event(self, event: AuditEvent) -> None:
        with self._lock:
            self._t["audit"].append(event)

    def list_audit_events(self, subject: str | None = None,
                          limit: int = 100) -> Sequence[AuditEvent]:
        with self._lock:
            events = [e for e in self._t["audit"] if subject is None or e.subject == subject]
        return list(reversed(events))[:limit]
