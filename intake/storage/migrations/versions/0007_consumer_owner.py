"""feed_consumers.client: the API client a feed consumer belongs to

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 03:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feed_consumers") as batch:
        batch.add_column(sa.Column("client", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feed_consumers") as batch:
        batch.drop_column("client")
