"""Store the mined co-purchase rules (written by `python -m tactful mine`, read
by every process instead of each one mining on its own), and index what a
decision reads: covering indexes on the customer's orders and their lines
(the read never visits the tables) and a partial index on the answers the
ranking counts read.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_IS_ANSWER = sa.text("kind IN ('accepted', 'declined')")


def upgrade() -> None:
    op.create_table(
        "mining_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("mined_at", sa.DateTime(), nullable=False),
        sa.Column("baskets", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mining_runs")),
    )
    op.create_table(
        "mined_rules",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("antecedent", sa.String(length=64), nullable=False),
        sa.Column("consequent", sa.String(length=64), nullable=False),
        sa.Column("support", sa.Float(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("lift", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["mining_runs.id"],
            name=op.f("fk_mined_rules_run_id_mining_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "position", name=op.f("pk_mined_rules")),
    )
    op.create_index("ix_orders_customer_history", "orders", ["customer_id", "placed_at", "id", "status"])
    op.drop_index("ix_orders_customer_placed", table_name="orders")
    op.create_index("ix_order_lines_order_items", "order_lines", ["order_id", "sku", "quantity"])
    op.drop_index("ix_order_lines_order", table_name="order_lines")
    op.create_index(
        "ix_offer_events_answers",
        "offer_events",
        ["offer_id", "variant_id", "kind"],
        postgresql_where=_IS_ANSWER,
        sqlite_where=_IS_ANSWER,
    )


def downgrade() -> None:
    op.drop_index("ix_offer_events_answers", table_name="offer_events")
    op.create_index("ix_order_lines_order", "order_lines", ["order_id"])
    op.drop_index("ix_order_lines_order_items", table_name="order_lines")
    op.create_index("ix_orders_customer_placed", "orders", ["customer_id", "placed_at"])
    op.drop_index("ix_orders_customer_history", table_name="orders")
    op.drop_table("mined_rules")
    op.drop_table("mining_runs")
