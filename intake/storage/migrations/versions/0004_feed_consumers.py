"""feed_consumers: acknowledged cursors of the feed's readers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 09:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_consumers",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("acked_cursor", sa.Integer(), nullable=False),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("feed_consumers")
