"""Partial index for the apply_due queue: due-able subscriptions in period-end order.

Why: 0001's (status, current_period_end) index matches the due rows but, with
four statuses, cannot return them in (current_period_end, id) order, so every
``lease_due_subscriptions`` sorted the whole due backlog (measured by
benchmarks/store.py). This index lets the query read the first ``limit`` rows
in order and stop.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

# The statuses that need a transition at period end, as of this revision.
_WHERE = sa.text("status IN ('active', 'canceling', 'past_due', 'trialing')")


def upgrade() -> None:
    op.create_index("waffo_subscriptions_due_order", "waffo_subscriptions",
                    ["current_period_end", "id"], postgresql_where=_WHERE, sqlite_where=_WHERE)


def downgrade() -> None:
    op.drop_index("waffo_subscriptions_due_order", "waffo_subscriptions")
