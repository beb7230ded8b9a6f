"""``DjangoStore``: the Store protocol on the Django ORM (``models.py``, ``migrations/``).

Transactions are Django's: ``atomic()`` is ``transaction.atomic``, so the portal's writes
join a merchant's surrounding transaction. Race-prone methods are conditional UPDATEs
(leases, link consumption), row locks (invoice numbers, ``SKIP LOCKED`` for due
subscriptions on PostgreSQL) or inserts in a savepoint, so an IntegrityError never
poisons an outer PostgreSQL transaction. On SQLite, give the database
``"OPTIONS": {"transaction_mode": "IMMEDIATE"}`` (Django >= 5.1) so that concurrent
writers wait for each other instead of failing with "database is locked".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import attrs
from django.db import IntegrityError, connections, transaction
from django.db.models import Q

from ...core.exceptions import Conflict
from ...core.models import (
    DUE_STATUSES,
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
from ...stores import codec
from . import models as m
from .outbox import OutboxMixin
from .records import RecordsMixin


class DjangoStore(RecordsMixin, OutboxMixin):
    """A Store on the project's Django database (``using`` picks a DATABASES alias)."""

    def __init__(self, using: str = "default") -> None:
        self.using = using

    @contextmanager
    def atomic(self) -> Iterator[None]:
        with transaction.atomic(using=self.using):
            yield

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Django's own hook: also waits for a merchant's surrounding ``atomic()``."""
        transaction.on_commit(callback, using=self.using)

    # Sync revisions and the webhook inbox: the SQL store's statements, on Django's
    # connection (the ORM has no conditional upsert); both backends speak this dialect.
    def claim_revisions(self, kind: str, revisions: Mapping[str, int]) -> set[str]:
        if not revisions:
            return set()
        table = connections[self.using].ops.quote_name(m.SyncRevision._meta.db_table)
        rows = sorted(revisions.items())
        values = ", ".join(["(%s, %s, %s)"] * len(rows))
        params: list[Any] = [item for record_id, rev in rows for item in (kind, record_id, rev)]
        # Only the quoted table name and placeholders are formatted in; values are bound.
        sql = (f"INSERT INTO {table} (kind, record_id, revision) VALUES {values} "  # noqa: S608
               "ON CONFLICT (kind, record_id) DO UPDATE SET revision = excluded.revision "
               f"WHERE {table}.revision < excluded.revision RETURNING record_id")
        with transaction.atomic(using=self.using), \
                connections[self.using].cursor() as cursor:
            cursor.execute(sql, params)
            return {row[0] for row in cursor.fetchall()}

    def record_delivery(self, source: str, delivery_id: str, event_type: str,
                        received_at: datetime) -> bool:
        table = connections[self.using].ops.quote_name(m.WebhookDelivery._meta.db_table)
        sql = (f"INSERT INTO {table} (source, delivery_id, event_type, received_at) "  # noqa: S608
               "VALUES (%s, %s, %s, %s) ON CONFLICT (source, delivery_id) DO NOTHING "
               "RETURNING delivery_id")
        connection = connections[self.using]
        stamp = connection.ops.adapt_datetimefield_value(received_at)
        with transaction.atomic(using=self.using), connection.cursor() as cursor:
            cursor.execute(sql, [source, delivery_id, event_type, stamp])
            return cursor.fetchone() is not None

    def _put(self, model: Any, values: dict[str, Any]) -> None:
        # Django's save() on an explicit primary key is UPDATE, then INSERT if nothing matched.
        model(**values).save(using=self.using)

    # Buyers and billing details
    def get_buyer(self, buyer_id: str) -> Buyer | None:
        row = self._q(m.Buyer).filter(id=buyer_id).first()
        return None if row is None else codec.buyer_from(row)

    def find_buyer_by_email(self, email: str) -> Buyer | None:
        # Emails are not unique: of several buyers, always the lowest id.
        row = (self._q(m.Buyer).filter(email_normalized=normalize_email(email))
               .order_by("id").first())
        return None if row is None else codec.buyer_from(row)

    def save_buyer(self, buyer: Buyer) -> None:
        self._put(m.Buyer, codec.buyer_values(buyer))

    def get_billing_details(self, buyer_id: str) -> BillingDetails | None:
        row = self._q(m.BillingDetails).filter(buyer_id=buyer_id).values().first()
        return None if row is None else codec.details_from(row)

    def save_billing_details(self, buyer_id: str, details: BillingDetails) -> None:
        values = codec.details_json(details)
        assert values is not None
        self._put(m.BillingDetails, {"buyer_id": buyer_id, **values})

    # Plans
    def get_plan(self, plan_id: str) -> Plan | None:
        row = self._q(m.Plan).filter(id=plan_id).first()
        return None if row is None else codec.plan_from(row)

    def list_plans(self, product_group: str) -> Sequence[Plan]:
        plans = (codec.plan_from(r) for r in self._q(m.Plan).filter(product_group=product_group))
        # Price per day is exact Fraction arithmetic across periods: sort in Python.
        return sorted(plans, key=lambda p: (p.price_per_day(), p.id))

    def save_plan(self, plan: Plan) -> None:
        check_plan_price(plan)
        self._put(m.Plan, codec.plan_values(plan))

    # Subscriptions
    def get_subscription(self, subscription_id: str) -> Subscription | None:
        row = self._q(m.Subscription).filter(id=subscription_id).first()
        return None if row is None else codec.subscription_from(row)

    def list_subscriptions(self, buyer_id: str) -> Sequence[Subscription]:
        rows = self._q(m.Subscription).filter(buyer_id=buyer_id).order_by("-created_at", "-id")
        return [codec.subscription_from(r) for r in rows]

    def list_cancellations(self, since: datetime, until: datetime,
                           limit: int = 10_000) -> Sequence[Subscription]:
        rows = (self._q(m.Subscription)
                .filter(cancel_requested_at__gte=since, cancel_requested_at__lt=until)
                .order_by("cancel_requested_at", "id")[:limit])
        return [codec.subscription_from(r) for r in rows]

    def save_subscription(self, subscription: Subscription) -> Subscription:
        values, stored = codec.subscription_values(subscription), subscription.version + 1
        if subscription.version == 0:
            try:
                with transaction.atomic(using=self.using):  # a savepoint when nested
                    self._q(m.Subscription).create(**values, version=1)
                saved = True
            except IntegrityError:
                saved = False
        else:
            saved = self._q(m.Subscription).filter(
                id=subscription.id, version=subscription.version,
            ).update(**values, version=stored) == 1
        if not saved:
            raise Conflict("The subscription was changed meanwhile; reload and try again",
                           subscription_id=subscription.id)
        return attrs.evolve(subscription, version=stored)

    @staticmethod
    def _leasable(holder: str, now: datetime) -> Q:
        return Q(lease_holder__isnull=True) | Q(lease_holder=holder) | Q(lease_until__lte=now)

    def lease_subscription(self, subscription_id: str, holder: str, until: datetime,
                           now: datetime) -> bool:
        """One conditional UPDATE; an unknown subscription cannot be leased."""
        leased: int = self._q(m.Subscription).filter(
            Q(id=subscription_id) & self._leasable(holder, now),
        ).update(lease_holder=holder, lease_until=until)
        return leased == 1

    def release_subscription(self, subscription_id: str, holder: str) -> None:
        self._q(m.Subscription).filter(id=subscription_id, lease_holder=holder).update(
            lease_holder=None, lease_until=None)

    def lease_due_subscriptions(self, now: datetime, limit: int, holder: str,
                                until: datetime) -> Sequence[Subscription]:
        """PostgreSQL: candidates are locked with SKIP LOCKED, so workers split the due set.
        Every backend: the lease itself is a conditional UPDATE, and only rows that now
        carry our lease are returned, so no two holders ever get the same subscription."""
        leasable = self._leasable(holder, now)
        due = Q(status__in=sorted(DUE_STATUSES), current_period_end__lte=now) & leasable
        with transaction.atomic(using=self.using):
            query = self._q(m.Subscription).filter(due).order_by("current_period_end", "id")
            if connections[self.using].features.has_select_for_update_skip_locked:
                query = query.select_for_update(skip_locked=True)
            ids = list(query.values_list("id", flat=True)[:limit])
            self._q(m.Subscription).filter(Q(id__in=ids) & leasable).update(
                lease_holder=holder, lease_until=until)
            rows = (self._q(m.Subscription)
                    .filter(id__in=ids, lease_holder=holder, lease_until=until)
                    .order_by("current_period_end", "id"))
            return [codec.subscription_from(r) for r in rows]

    # Orders and payments
    def save_order(self, order: Order) -> None:
        self._put(m.Order, codec.order_values(order))

    def get_order(self, order_id: str) -> Order | None:
        row = self._q(m.Order).filter(id=order_id).first()
        return None if row is None else codec.order_from(row)

    def list_orders(self, buyer_id: str, limit: int,
                    before: tuple[datetime, str] | None = None) -> Sequence[Order]:
        query = self._q(m.Order).filter(buyer_id=buyer_id)
        if before is not None:
            at, order_id = before
            query = query.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=order_id))
        return [codec.order_from(r) for r in query.order_by("-created_at", "-id")[:limit]]

    def save_payment(self, payment: Payment) -> None:
        self._put(m.Payment, codec.payment_values(payment))

    def list_payments(self, order_id: str) -> Sequence[Payment]:
        rows = self._q(m.Payment).filter(order_id=order_id).order_by("created_at", "id")
        return [codec.payment_from(r) for r in rows]

    # Invoices
    def issue_invoice(self, order: Order, prefix: str, issued_at: datetime) -> Invoice:
        """Gap-free: the per-prefix counter row is locked, re-checked and bumped in the
        same transaction as the invoice insert, so a rollback also rolls the number back."""
        existing = self.get_invoice(order.id)
        if existing is not None:
            return existing
        with transaction.atomic(using=self.using):
            self._q(m.InvoiceSequence).bulk_create(
                [m.InvoiceSequence(prefix=prefix, last_number=0)], ignore_conflicts=True)
            counter = self._q(m.InvoiceSequence).select_for_update().get(prefix=prefix)
            raced = self._q(m.Invoice).filter(order_id=order.id).first()
            if raced is not None:  # numbered by another transaction while we waited
                return codec.invoice_from(raced)
            number = counter.last_number + 1
            self._q(m.InvoiceSequence).filter(prefix=prefix).update(last_number=number)
            invoice = Invoice(number=invoice_number(prefix, number), order_id=order.id,
                              buyer_id=order.buyer_id, issued_at=issued_at,
                              billing_details=order.billing_details)
            self._q(m.Invoice).create(**codec.invoice_values(invoice))
        return invoice

    def get_invoice(self, order_id: str) -> Invoice | None:
        row = self._q(m.Invoice).filter(order_id=order_id).first()
        return None if row is None else codec.invoice_from(row)

    def save_invoice(self, invoice: Invoice) -> None:
        self._put(m.Invoice, codec.invoice_values(invoice))
