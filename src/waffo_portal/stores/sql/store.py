"""``SqlStore``: the Store protocol on SQLAlchemy 2 Core, for SQLite and PostgreSQL.

Why Core and not the ORM: every Store method is one or two statements whose
exact shape matters (conditional UPDATEs, ``ON CONFLICT``, ``SKIP LOCKED``),
the domain models are frozen attrs classes that must not be instrumented, and
an identity map would only hide the round-trips. Core keeps each query visible.

Transactions: ``atomic()`` binds one connection and transaction to the current
thread; store calls inside it (and nested ``atomic()`` blocks) join it. A call
outside ``atomic()`` runs in its own short transaction. PostgreSQL runs at READ
COMMITTED, so every race-prone method is a single conditional statement or
takes a row lock first; nothing relies on catching IntegrityError, which would
abort a surrounding PostgreSQL transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs
from sqlalchemy import bindparam, literal, or_, select, tuple_, update
from sqlalchemy.engine import URL

from ...core.exceptions import Conflict
from ...core.models import (
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
from ...core.plan_rules import check_plan_price
from .. import codec
from . import schema as t
from .base import lookup
from .engine import build_engine
from .outbox import OutboxMixin
from .prepared import Prepared, row_type
from .records import RecordsMixin
from .sync import SyncMixin

# The reads behind every page, built once (see ``lookup``).
_BUYER = Prepared(lookup(t.buyers, "id"))
# Emails are not unique: of several buyers, always the lowest id (not the planner's pick).
_BUYER_BY_EMAIL = Prepared(lookup(t.buyers, "email_normalized").order_by(t.buyers.c.id)
                           .limit(1))
_BILLING_DETAILS = Prepared(lookup(t.billing_details, "buyer_id"))
_PLAN = Prepared(lookup(t.plans, "id"))
_PLANS_OF_GROUP = Prepared(lookup(t.plans, "product_group"))
_SUBSCRIPTION = Prepared(lookup(t.subscriptions, "id"))
_SUBSCRIPTIONS_OF_BUYER = Prepared(lookup(t.subscriptions, "buyer_id").order_by(
    t.subscriptions.c.created_at.desc(), t.subscriptions.c.id.desc()))
# The subscriptions page: each subscription with its plan, plan columns last, as "p_<name>".
_SUBSCRIPTIONS_WITH_PLANS = Prepared(
    select(t.subscriptions, *(column.label(f"p_{column.name}") for column in t.plans.c))
    .select_from(t.subscriptions.outerjoin(t.plans, t.plans.c.id == t.subscriptions.c.plan_id))
    .where(t.subscriptions.c.buyer_id == bindparam("key"))
    .order_by(t.subscriptions.c.created_at.desc(), t.subscriptions.c.id.desc()))
_PlanRow = row_type([column.name for column in t.plans.c])
_ORDER = Prepared(lookup(t.orders, "id"))
_PAYMENTS_OF_ORDER = Prepared(lookup(t.payments, "order_id").order_by(
    t.payments.c.created_at, t.payments.c.id))
_INVOICE = Prepared(lookup(t.invoices, "order_id"))


class SqlStore(RecordsMixin, SyncMixin, OutboxMixin):
    """A Store on SQLite (the embedded default) or PostgreSQL (production)."""

    @classmethod
    def from_url(cls, url: str | URL, *, migrate: bool = False, **engine_kwargs: Any) -> SqlStore:
        """Build from a database URL; ``migrate=True`` upgrades the schema to head first."""
        engine = build_engine(url, **engine_kwargs)
        if migrate:
            from .migrate import migrate as run_migrations

            run_migrations(engine)
        return cls(engine)

    # Buyers and billing details
    def get_buyer(self, buyer_id: str) -> Buyer | None:
        row = self._one(_BUYER, key=buyer_id)
        return None if row is None else codec.buyer_from(row)

    def find_buyer_by_email(self, email: str) -> Buyer | None:
        row = self._one(_BUYER_BY_EMAIL, key=normalize_email(email))
        return None if row is None else codec.buyer_from(row)

    def save_buyer(self, buyer: Buyer) -> None:
        self._upsert(t.buyers, codec.buyer_values(buyer))

    def get_billing_details(self, buyer_id: str) -> BillingDetails | None:
        row = self._one(_BILLING_DETAILS, key=buyer_id)
        return None if row is None else codec.details_from(row._mapping)

    def save_billing_details(self, buyer_id: str, details: BillingDetails) -> None:
        values = codec.details_json(details)
        assert values is not None
        self._upsert(t.billing_details, {"buyer_id": buyer_id, **values})

    # Plans
    def get_plan(self, plan_id: str) -> Plan | None:
        row = self._one(_PLAN, key=plan_id)
        return None if row is None else codec.plan_from(row)

    def list_plans(self, product_group: str) -> Sequence[Plan]:
        rows = self._all(_PLANS_OF_GROUP, key=product_group)
        # Price per day needs exact Fraction arithmetic across periods: sort in Python
        # (a product group holds a handful of plans).
        return sorted((codec.plan_from(r) for r in rows), key=lambda p: (p.price_per_day(), p.id))

    def save_plan(self, plan: Plan) -> None:
        check_plan_price(plan)
        self._upsert(t.plans, codec.plan_values(plan))

    # Subscriptions
    def get_subscription(self, subscription_id: str) -> Subscription | None:
        row = self._one(_SUBSCRIPTION, key=subscription_id)
        return None if row is None else codec.subscription_from(row)

    def list_subscriptions(self, buyer_id: str) -> Sequence[Subscription]:
        rows = self._all(_SUBSCRIPTIONS_OF_BUYER, key=buyer_id)
        return [codec.subscription_from(r) for r in rows]

    def list_subscriptions_with_plans(
            self, buyer_id: str) -> Sequence[tuple[Subscription, Plan | None]]:
        rows = self._all(_SUBSCRIPTIONS_WITH_PLANS, key=buyer_id)
        plan_columns = len(_PlanRow._fields)
        return [(codec.subscription_from(r), None if r.p_id is None
                 else codec.plan_from(_PlanRow._make(r[-plan_columns:]))) for r in rows]

    def list_cancellations(self, since: datetime, until: datetime,
                           limit: int = 10_000) -> Sequence[Subscription]:
        subs = t.subscriptions
        requested = subs.c.cancel_requested_at
        rows = self._all(select(subs).where(requested >= since, requested < until)
                         .order_by(requested, subs.c.id).limit(limit))
        return [codec.subscription_from(r) for r in rows]

    def save_subscription(self, subscription: Subscription) -> Subscription:
        subs, values = t.subscriptions, codec.subscription_values(subscription)
        stored = subscription.version + 1
        with self._tx(write=True) as conn:
            if subscription.version == 0:
                # RETURNING, not rowcount: drivers report -1 for INSERT … ON CONFLICT.
                stmt = (self._insert(subs).values(**values, version=1)
                        .on_conflict_do_nothing().returning(subs.c.id))
            else:
                stmt = (update(subs).values(**values, version=stored)  # type: ignore[assignment]
                        .where(subs.c.id == subscription.id,
                               subs.c.version == subscription.version)
                        .returning(subs.c.id))
            if conn.execute(stmt).first() is None:
                raise Conflict("The subscription was changed meanwhile; reload and try again",
                               subscription_id=subscription.id)
        return attrs.evolve(subscription, version=stored)

    def lease_subscription(self, subscription_id: str, holder: str, until: datetime,
                           now: datetime) -> bool:
        """Atomic as one conditional UPDATE. An unknown subscription cannot be leased."""
        subs = t.subscriptions
        stmt = (update(subs).values(lease_holder=holder, lease_until=until)
                .where(subs.c.id == subscription_id, self._leasable(holder, now)))
        with self._tx(write=True) as conn:
            return conn.execute(stmt).rowcount == 1

    @staticmethod
    def _leasable(holder: str, now: datetime) -> Any:
        subs = t.subscriptions
        return or_(subs.c.lease_holder.is_(None), subs.c.lease_holder == holder,
                   subs.c.lease_until <= now)

    def release_subscription(self, subscription_id: str, holder: str) -> None:
        subs = t.subscriptions
        stmt = (update(subs).values(lease_holder=None, lease_until=None)
                .where(subs.c.id == subscription_id, subs.c.lease_holder == holder))
        with self._tx(write=True) as conn:
            conn.execute(stmt)

    def lease_due_subscriptions(self, now: datetime, limit: int, holder: str,
                                until: datetime) -> Sequence[Subscription]:
        """PostgreSQL: lock candidates with SKIP LOCKED, then lease them, in one transaction
        (READ COMMITTED re-checks the WHERE on rows another worker just leased). SQLite: the
        write transaction (BEGIN IMMEDIATE) serializes workers; FOR UPDATE is not emitted."""
        subs = t.subscriptions
        due = (select(subs)
               .where(t.DUE_PREDICATE, subs.c.current_period_end <= now,
                      self._leasable(holder, now))
               .order_by(subs.c.current_period_end, subs.c.id).limit(limit)
               .with_for_update(skip_locked=True))
        with self._tx(write=True) as conn:
            rows = conn.execute(due).all()
            if rows:
                conn.execute(update(subs).values(lease_holder=holder, lease_until=until)
                             .where(subs.c.id.in_([r.id for r in rows])))
        return [codec.subscription_from(r) for r in rows]

    # Orders and payments
    def save_order(self, order: Order) -> None:
        self._upsert(t.orders, codec.order_values(order))

    def get_order(self, order_id: str) -> Order | None:
        row = self._one(_ORDER, key=order_id)
        return None if row is None else codec.order_from(row)

    def list_orders(self, buyer_id: str, limit: int,
                    before: tuple[datetime, str] | None = None) -> Sequence[Order]:
        orders = t.orders
        query = select(orders).where(orders.c.buyer_id == buyer_id)
        if before is not None:
            # A row-value comparison walks the (buyer_id, created_at, id) index directly.
            cursor = tuple_(literal(before[0], orders.c.created_at.type),
                            literal(before[1], orders.c.id.type))
            query = query.where(tuple_(orders.c.created_at, orders.c.id) < cursor)
        query = query.order_by(orders.c.created_at.desc(), orders.c.id.desc()).limit(limit)
        return [codec.order_from(r) for r in self._all(query)]

    def save_payment(self, payment: Payment) -> None:
        self._upsert(t.payments, codec.payment_values(payment))

    def list_payments(self, order_id: str) -> Sequence[Payment]:
        rows = self._all(_PAYMENTS_OF_ORDER, key=order_id)
        return [codec.payment_from(r) for r in rows]

    # Invoices
    def issue_invoice(self, order: Order, prefix: str, issued_at: datetime) -> Invoice:
        """Gap-free: the per-prefix counter row is locked, re-checked and bumped in the
        same transaction as the invoice insert, so a rollback also rolls the number back."""
        existing = self.get_invoice(order.id)
        if existing is not None:
            return existing
        with self._tx(write=True) as conn:
            last = self._lock_invoice_counter(conn, prefix)
            # Another transaction may have numbered this order while we waited for the lock.
            raced = conn.execute(select(t.invoices)
                                 .where(t.invoices.c.order_id == order.id)).first()
            if raced is not None:
                return codec.invoice_from(raced)
            self._set_invoice_counter(conn, prefix, last + 1)
            invoice = Invoice(number=invoice_number(prefix, last + 1), order_id=order.id,
                              buyer_id=order.buyer_id, issued_at=issued_at,
                              billing_details=order.billing_details)
            conn.execute(t.invoices.insert().values(codec.invoice_values(invoice)))
        return invoice

    def get_invoice(self, order_id: str) -> Invoice | None:
        row = self._one(_INVOICE, key=order_id)
        return None if row is None else codec.invoice_from(row)

    def save_invoice(self, invoice: Invoice) -> None:
        self._upsert(t.invoices, codec.invoice_values(invoice))
