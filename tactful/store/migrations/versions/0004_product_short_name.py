"""Add products.short_name: the name the assistant uses inside a sentence.
Nullable, because imported catalogs have none; the assistant then uses the
product's name without a trailing qualifier such as "(monthly)".

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("short_name", sa.String(length=120), nullable=True))


def downgrade() -> None:
    # batch mode: SQLite drops a column by rebuilding the table.
    with op.batch_alter_table("products") as batch:
        batch.drop_column("short_name")
