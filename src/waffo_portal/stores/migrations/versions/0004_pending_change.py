"""Plan changes awaiting the buyer's confirmation on the provider's page.

With a provider such as Waffo, a plan change is confirmed by the buyer on the provider's
own page and its result arrives by webhook; until then the subscription shows the
change as pending (``pending_*``), without switching anything.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from waffo_portal.stores.sql.types import UtcDateTime

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("waffo_subscriptions", sa.Column("pending_plan_id", sa.String(64)))
    op.add_column("waffo_subscriptions", sa.Column("pending_requested_at", UtcDateTime()))
    op.add_column("waffo_subscriptions", sa.Column("pending_expires_at", UtcDateTime()))


def downgrade() -> None:
    op.drop_column("waffo_subscriptions", "pending_expires_at")
    op.drop_column("waffo_subscriptions", "pending_requested_at")
    op.drop_column("waffo_subscriptions", "pending_plan_id")
