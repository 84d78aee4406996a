"""What a registration or cancellation changed, for its Undo.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models.base import JsonType, UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registration_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("made_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("entries", JsonType, nullable=False),
        sa.Column("undone_at", UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_registration_changes_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_changes")),
    )
    with op.batch_alter_table("registration_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registration_changes_staff_id"), ["staff_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("registration_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_changes_staff_id"))
    op.drop_table("registration_changes")
