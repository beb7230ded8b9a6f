"""The tables of the SQL store (SQLAlchemy Core); must match migration head.

Design choices:

* Money is ``<name>_minor`` (BIGINT minor units) plus a ``currency`` CHAR(3).
  An order's subtotal/tax/total share the order's currency column.
* Line items, refunds and billing-detail snapshots are JSON columns: they are
  immutable value objects always read and written with their parent, never
  queried on their own, so child tables would only add joins to list pages.
* The subscription lease lives on the subscription row (``lease_holder``,
  ``lease_until``) so leasing is one conditional UPDATE.
* No foreign keys to ``buyers``: the Store contract lets a merchant record
  orders and subscriptions for buyers it manages elsewhere.
* Every table is prefixed ``waffo_`` so the store can share a database (and
  an Alembic setup) with the merchant's own tables.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
    text,
    true,
)

from ...core.models import DUE_STATUSES
from .types import UtcDateTime, currency_type, json_type, serial_type

metadata = MetaData()

buyers = Table(
    "waffo_buyers", metadata,
    Column("id", String(64), primary_key=True),
    Column("email", String(320), nullable=False),
    Column("email_normalized", String(320), nullable=False),
    Column("locale", String(35)),
    Column("name", Text, nullable=False),
    Index("waffo_buyers_email", "email_normalized"),
)

billing_details = Table(
    "waffo_billing_details", metadata,
    Column("buyer_id", String(64), primary_key=True),
    Column("country", String(2), nullable=False),
    Column("state", String(16), nullable=False),
    Column("postal_code", String(32), nullable=False),
    Column("business_name", Text, nullable=False),
    Column("tax_id", String(64), nullable=False),
    Column("is_business", Boolean, nullable=False),
    Column("name", Text, nullable=False, server_default=""),
    Column("address_line1", Text, nullable=False, server_default=""),
    Column("address_line2", Text, nullable=False, server_default=""),
    Column("city", Text, nullable=False, server_default=""),
)

plans = Table(
    "waffo_plans", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("product_group", String(64), nullable=False),
    Column("price_minor", BigInteger, nullable=False),
    Column("currency", currency_type(), nullable=False),
    Column("period", String(16), nullable=False),
    Column("trial_days", Integer, nullable=False),
    Column("selectable", Boolean, nullable=False, server_default=true()),
    Index("waffo_plans_group", "product_group"),
)

subscriptions = Table(
    "waffo_subscriptions", metadata,
    Column("id", String(64), primary_key=True),
    Column("buyer_id", String(64), nullable=False),
    Column("plan_id", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("current_period_start", UtcDateTime, nullable=False),
    Column("current_period_end", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("trial_end", UtcDateTime),
    Column("scheduled_plan_id", String(64)),
    Column("scheduled_effective_at", UtcDateTime),
    Column("scheduled_requested_at", UtcDateTime),
    Column("cancel_reason", String(32)),
    Column("cancel_comment", Text),
    Column("cancel_requested_at", UtcDateTime),
    Column("cancel_effective_at", UtcDateTime),
    Column("method_brand", String(32)),
    Column("method_last4", String(4)),
    Column("pending_plan_id", String(64)),
    Column("pending_requested_at", UtcDateTime),
    Column("pending_expires_at", UtcDateTime),
    Column("version", Integer, nullable=False),
    Column("lease_holder", String(160)),
    Column("lease_until", UtcDateTime),
    Index("waffo_subscriptions_buyer", "buyer_id", "created_at"),
    Index("waffo_subscriptions_due", "status", "current_period_end"),
)

# Literal statuses (not bound parameters) so that the planner can match the
# partial index; lease_due_subscriptions uses the same predicate.
_DUE_LIST = ", ".join(f"'{status}'" for status in sorted(DUE_STATUSES))
DUE_PREDICATE = text(f"status IN ({_DUE_LIST})")
Index("waffo_subscriptions_due_order", subscriptions.c.current_period_end, subscriptions.c.id,
      postgresql_where=DUE_PREDICATE, sqlite_where=DUE_PREDICATE)

orders = Table(
    "waffo_orders", metadata,
    Column("id", String(64), primary_key=True),
    Column("buyer_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("currency", currency_type(), nullable=False),
    Column("line_items", json_type(), nullable=False),
    Column("subtotal_minor", BigInteger, nullable=False),
    Column("tax_minor", BigInteger, nullable=False),
    Column("total_minor", BigInteger, nullable=False),
    # Exact decimal as text: SQLite's NUMERIC affinity would round-trip through a float.
    Column("tax_rate", String(32), nullable=False),
    Column("billing_details", json_type(), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("subscription_id", String(64)),
    Column("tax_note", Text, nullable=False),
    Column("prices_include_tax", Boolean, nullable=False, server_default=false()),
    Column("reverse_charge", Boolean, nullable=False, server_default=false()),
)
Index("waffo_orders_buyer_recent", orders.c.buyer_id, orders.c.created_at.desc(),
      orders.c.id.desc())

payments = Table(
    "waffo_payments", metadata,
    Column("id", String(64), primary_key=True),
    Column("order_id", String(64), nullable=False),
    Column("buyer_id", String(64), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", currency_type(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("method_brand", String(32)),
    Column("method_last4", String(4)),
    Column("failure_reason", Text, nullable=False),
    Column("refunds", json_type(), nullable=False),
    Column("provider_reference", String(255), nullable=False),
    Index("waffo_payments_order", "order_id", "created_at"),
)

invoices = Table(
    "waffo_invoices", metadata,
    Column("order_id", String(64), primary_key=True),  # one invoice per order
    Column("number", String(64), nullable=False, unique=True),
    Column("buyer_id", String(64), nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("billing_details", json_type()),
    Column("revision", Integer, nullable=False),
    Column("revised_at", UtcDateTime),
)

invoice_sequences = Table(
    "waffo_invoice_sequences", metadata,
    Column("prefix", String(32), primary_key=True),
    Column("last_number", BigInteger, nullable=False),
)

idempotency_keys = Table(
    "waffo_idempotency_keys", metadata,
    Column("scope", String(64), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", Text, nullable=False),
    Column("result", Text),
    Column("created_at", UtcDateTime, nullable=False),
)

login_links = Table(
    "waffo_login_links", metadata,
    Column("id", String(64), primary_key=True),
    Column("buyer_id", String(64), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("return_to", Text, nullable=False),
    Column("used_at", UtcDateTime),
    Column("revoked_at", UtcDateTime),
    Index("waffo_login_links_buyer", "buyer_id"),
)

sessions = Table(
    "waffo_sessions", metadata,
    Column("id_hash", String(128), primary_key=True),
    Column("buyer_id", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    Index("waffo_sessions_buyer", "buyer_id"),
)

attempts = Table(
    "waffo_attempts", metadata,
    Column("id", serial_type(), primary_key=True, autoincrement=True),
    Column("bucket", String(255), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    # When the row leaves its window: every count prunes all expired rows, so a flood of
    # one-off buckets (random emails) cannot grow the table beyond one window's traffic.
    Column("expires_at", UtcDateTime),
    Index("waffo_attempts_bucket", "bucket", "at"),
    Index("waffo_attempts_expiry", "expires_at"),
)

# The mail outbox. ``body`` (text, html, headers) is NULL once sent or given up: a pending
# login email holds a live link, a sent one need not keep it.
outbox = Table(
    "waffo_outbox", metadata,
    Column("id", String(64), primary_key=True),
    Column("recipient", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", json_type()),
    Column("created_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime),
    Column("sent_at", UtcDateTime),
    Column("last_error", Text, nullable=False),
    Index("waffo_outbox_due", "next_attempt_at"),
    Index("waffo_outbox_created", "created_at"),  # pruning
)

audit_events = Table(
    "waffo_audit_events", metadata,
    # ``seq`` breaks ties between events recorded at the same instant (insertion order).
    Column("seq", serial_type(), primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False, unique=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(128), nullable=False),
    Column("subject", String(160), nullable=False),
    Column("old", json_type(), nullable=False),
    Column("new", json_type(), nullable=False),
    Column("amount_minor", BigInteger),
    Column("currency", currency_type()),
    Column("idempotency_key", String(255)),
    Index("waffo_audit_subject", "subject", "at", "seq"),
    Index("waffo_audit_at", "at", "seq"),
)

# The provider of record's revision of every record the sync API wrote (out-of-order guard).
sync_revisions = Table(
    "waffo_sync_revisions", metadata,
    Column("kind", String(32), primary_key=True),
    Column("record_id", String(160), primary_key=True),
    Column("revision", BigInteger, nullable=False),
)

# One row per webhook delivery taken in, written with the state change it carried.
webhook_inbox = Table(
    "waffo_webhook_inbox", metadata,
    Column("source", String(64), primary_key=True),
    Column("delivery_id", String(255), primary_key=True),
    Column("event_type", String(128), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
)
