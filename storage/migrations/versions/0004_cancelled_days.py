"""The registered days a not-eligible marking cancelled, kept on the marking so that lifting it
can give them back.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hybrid_ineligibility", schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            "cancelled_days", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True,
        ))


def downgrade() -> None:
    with op.batch_alter_table("hybrid_ineligibility", schema=None) as batch_op:
        batch_op.drop_column("cancelled_days")
