"""allowances: internet allowance history and confirmations of regular home work

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "internet_allowance_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=24), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("provider", sa.String(length=100), nullable=True),
        sa.Column("customer_number", sa.String(length=100), nullable=True),
        sa.Column("monthly_cost", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", storage.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_internet_allowance_choices_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_internet_allowance_choices")),
    )
    with op.batch_alter_table("internet_allowance_choices", schema=None) as batch_op:
        batch_op.create_index("ix_internet_allowance_choices_staff_from", ["staff_id", "effective_from"], unique=False)

    op.create_table(
        "regular_homework_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", storage.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_by", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", storage.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["confirmed_by"], ["staff.id"], name=op.f("fk_regular_homework_confirmations_confirmed_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_regular_homework_confirmations_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by"], ["staff.id"], name=op.f("fk_regular_homework_confirmations_withdrawn_by_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regular_homework_confirmations")),
    )
    with op.batch_alter_table("regular_homework_confirmations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_regular_homework_confirmations_staff_id"), ["staff_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("regular_homework_confirmations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_regular_homework_confirmations_staff_id"))
    op.drop_table("regular_homework_confirmations")
    with op.batch_alter_table("internet_allowance_choices", schema=None) as batch_op:
        batch_op.drop_index("ix_internet_allowance_choices_staff_from")
    op.drop_table("internet_allowance_choices")
