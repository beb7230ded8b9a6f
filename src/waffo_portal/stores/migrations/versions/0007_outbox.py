"""The durable mail outbox: login emails are written with their link, sent after commit.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from waffo_portal.stores.sql.types import UtcDateTime, json_type

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "waffo_outbox",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", json_type()),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime()),
        sa.Column("sent_at", UtcDateTime()),
        sa.Column("last_error", sa.Text(), nullable=False),
    )
    op.create_index("waffo_outbox_due", "waffo_outbox", ["next_attempt_at"])
    op.create_index("waffo_outbox_created", "waffo_outbox", ["created_at"])


def downgrade() -> None:
    op.drop_index("waffo_outbox_created", table_name="waffo_outbox")
    op.drop_index("waffo_outbox_due", table_name="waffo_outbox")
    op.drop_table("waffo_outbox")
