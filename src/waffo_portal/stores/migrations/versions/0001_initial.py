"""Initial schema: buyers, plans, subscriptions, orders, payments, invoices, auth, audit.

Written by hand. It imports only the stable column types, never the live
table definitions, so it keeps creating exactly this schema forever.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from waffo_portal.stores.sql.types import UtcDateTime, currency_type, json_type, serial_type

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_ID = 64


def _id(name: str, **kwargs: object) -> sa.Column[str]:
    return sa.Column(name, sa.String(_ID), **kwargs)  # type: ignore[arg-type]


def _people() -> None:
    op.create_table(
        "waffo_buyers", _id("id", primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("email_normalized", sa.String(320), nullable=False),
        sa.Column("locale", sa.String(35)),
        sa.Column("name", sa.Text, nullable=False))
    op.create_index("waffo_buyers_email", "waffo_buyers", ["email_normalized"])
    op.create_table(
        "waffo_billing_details", _id("buyer_id", primary_key=True),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("postal_code", sa.String(32), nullable=False),
        sa.Column("business_name", sa.Text, nullable=False),
        sa.Column("tax_id", sa.String(64), nullable=False),
        sa.Column("is_business", sa.Boolean, nullable=False))
    op.create_table(
        "waffo_plans", _id("id", primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("product_group", sa.String(64), nullable=False),
        sa.Column("price_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", currency_type(), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("trial_days", sa.Integer, nullable=False))
    op.create_index("waffo_plans_group", "waffo_plans", ["product_group"])


def _subscriptions() -> None:
    op.create_table(
        "waffo_subscriptions", _id("id", primary_key=True),
        _id("buyer_id", nullable=False), _id("plan_id", nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("current_period_start", UtcDateTime, nullable=False),
        sa.Column("current_period_end", UtcDateTime, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("trial_end", UtcDateTime),
        _id("scheduled_plan_id"),
        sa.Column("scheduled_effective_at", UtcDateTime),
        sa.Column("scheduled_requested_at", UtcDateTime),
        sa.Column("cancel_reason", sa.String(32)),
        sa.Column("cancel_comment", sa.Text),
        sa.Column("cancel_requested_at", UtcDateTime),
        sa.Column("cancel_effective_at", UtcDateTime),
        sa.Column("method_brand", sa.String(32)),
        sa.Column("method_last4", sa.String(4)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("lease_holder", sa.String(160)),
        sa.Column("lease_until", UtcDateTime))
    op.create_index("waffo_subscriptions_buyer", "waffo_subscriptions",
                    ["buyer_id", "created_at"])
    op.create_index("waffo_subscriptions_due", "waffo_subscriptions",
                    ["status", "current_period_end"])


def _orders() -> None:
    op.create_table(
        "waffo_orders", _id("id", primary_key=True), _id("buyer_id", nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("currency", currency_type(), nullable=False),
        sa.Column("line_items", json_type(), nullable=False),
        sa.Column("subtotal_minor", sa.BigInteger, nullable=False),
        sa.Column("tax_minor", sa.BigInteger, nullable=False),
        sa.Column("total_minor", sa.BigInteger, nullable=False),
        sa.Column("tax_rate", sa.String(32), nullable=False),
        sa.Column("billing_details", json_type(), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        _id("subscription_id"),
        sa.Column("tax_note", sa.Text, nullable=False))
    op.create_index("waffo_orders_buyer_recent", "waffo_orders",
                    ["buyer_id", sa.text("created_at DESC"), sa.text("id DESC")])
    op.create_table(
        "waffo_payments", _id("id", primary_key=True),
        _id("order_id", nullable=False), _id("buyer_id", nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", currency_type(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("method_brand", sa.String(32)),
        sa.Column("method_last4", sa.String(4)),
        sa.Column("failure_reason", sa.Text, nullable=False),
        sa.Column("refunds", json_type(), nullable=False),
        sa.Column("provider_reference", sa.String(255), nullable=False))
    op.create_index("waffo_payments_order", "waffo_payments", ["order_id", "created_at"])
    op.create_table(
        "waffo_invoices", _id("order_id", primary_key=True),
        sa.Column("number", sa.String(64), nullable=False, unique=True),
        _id("buyer_id", nullable=False),
        sa.Column("issued_at", UtcDateTime, nullable=False),
        sa.Column("billing_details", json_type()),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("revised_at", UtcDateTime))
    op.create_table(
        "waffo_invoice_sequences",
        sa.Column("prefix", sa.String(32), primary_key=True),
        sa.Column("last_number", sa.BigInteger, nullable=False))


def _auth_and_audit() -> None:
    op.create_table(
        "waffo_idempotency_keys",
        sa.Column("scope", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("result", sa.Text),
        sa.Column("created_at", UtcDateTime, nullable=False))
    op.create_table(
        "waffo_login_links", _id("id", primary_key=True), _id("buyer_id", nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("return_to", sa.Text, nullable=False),
        sa.Column("used_at", UtcDateTime),
        sa.Column("revoked_at", UtcDateTime))
    op.create_index("waffo_login_links_buyer", "waffo_login_links", ["buyer_id"])
    op.create_table(
        "waffo_sessions",
        sa.Column("id_hash", sa.String(128), primary_key=True),
        _id("buyer_id", nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("revoked_at", UtcDateTime))
    op.create_index("waffo_sessions_buyer", "waffo_sessions", ["buyer_id"])
    op.create_table(
        "waffo_attempts",
        sa.Column("id", serial_type(), primary_key=True, autoincrement=True),
        sa.Column("bucket", sa.String(255), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False))
    op.create_index("waffo_attempts_bucket", "waffo_attempts", ["bucket", "at"])
    op.create_table(
        "waffo_audit_events",
        sa.Column("seq", serial_type(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False, unique=True),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(128), nullable=False),
        sa.Column("subject", sa.String(160), nullable=False),
        sa.Column("old", json_type(), nullable=False),
        sa.Column("new", json_type(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger),
        sa.Column("currency", currency_type()),
        sa.Column("idempotency_key", sa.String(255)))
    op.create_index("waffo_audit_subject", "waffo_audit_events", ["subject", "at", "seq"])
    op.create_index("waffo_audit_at", "waffo_audit_events", ["at", "seq"])


def upgrade() -> None:
    _people()
    _subscriptions()
    _orders()
    _auth_and_audit()


_TABLES = ("waffo_audit_events", "waffo_attempts", "waffo_sessions", "waffo_login_links",
           "waffo_idempotency_keys", "waffo_invoice_sequences", "waffo_invoices",
           "waffo_payments", "waffo_orders", "waffo_subscriptions", "waffo_plans",
           "waffo_billing_details", "waffo_buyers")


def downgrade() -> None:
    for table in _TABLES:
        op.drop_table(table)
