"""Rate-limit attempts carry their expiry, so every count prunes all expired rows.

Before, old attempts were pruned only when the same bucket was counted again: 1,500 login
requests with random emails left 3,000 rows forever. Rows written before this revision
have no expiry and are pruned once a day old.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from waffo_portal.stores.sql.types import UtcDateTime

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("waffo_attempts", sa.Column("expires_at", UtcDateTime()))
    op.create_index("waffo_attempts_expiry", "waffo_attempts", ["expires_at"])


def downgrade() -> None:
    op.drop_index("waffo_attempts_expiry", table_name="waffo_attempts")
    with op.batch_alter_table("waffo_attempts") as batch:
        batch.drop_column("expires_at")
