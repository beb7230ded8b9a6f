"""Provider of record: plans that are no longer offered, sync revisions, webhook inbox.

``waffo_plans.selectable`` hides a retired or grandfathered plan from the plan picker.
``waffo_sync_revisions`` keeps the provider's revision of each synced record, so an
older delivery never overwrites a newer one; ``waffo_webhook_inbox`` makes each webhook
delivery count once, even when it arrives twice or at two processes at once.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from waffo_portal.stores.sql.types import UtcDateTime

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("waffo_plans", sa.Column("selectable", sa.Boolean(), nullable=False,
                                           server_default=sa.true()))
    op.create_table(
        "waffo_sync_revisions",
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("record_id", sa.String(160), primary_key=True),
        sa.Column("revision", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "waffo_webhook_inbox",
        sa.Column("source", sa.String(64), primary_key=True),
        sa.Column("delivery_id", sa.String(255), primary_key=True),
        sa.Column("event_type", sa.String(128), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("waffo_webhook_inbox")
    op.drop_table("waffo_sync_revisions")
    op.drop_column("waffo_plans", "selectable")
