"""Complete parties and an explicit tax rule on orders.

Billing details gain the billed person's name and the postal address (two address lines
and the city), which an invoice must show. Orders record whether their line prices are
gross (``prices_include_tax``) and whether the buyer accounts for the VAT
(``reverse_charge``), so a document never has to guess either from the numbers.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_ADDRESS = ("name", "address_line1", "address_line2", "city")
_ORDER_FLAGS = ("prices_include_tax", "reverse_charge")


def upgrade() -> None:
    for name in _ADDRESS:
        op.add_column("waffo_billing_details",
                      sa.Column(name, sa.Text(), nullable=False, server_default=""))
    for name in _ORDER_FLAGS:
        op.add_column("waffo_orders",
                      sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("waffo_orders") as batch:
        for name in reversed(_ORDER_FLAGS):
            batch.drop_column(name)
    with op.batch_alter_table("waffo_billing_details") as batch:
        for name in reversed(_ADDRESS):
            batch.drop_column(name)
