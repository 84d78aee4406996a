"""files tables: files waiting for the user's consent (Teams file consent card).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models.base import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_pending_files_staff_id_staff"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_files")),
        sa.UniqueConstraint("public_id", name=op.f("uq_pending_files_public_id")),
    )
    with op.batch_alter_table("pending_files") as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_files_staff_id"), ["staff_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pending_files_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pending_files") as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_files_expires_at"))
        batch_op.drop_index(batch_op.f("ix_pending_files_staff_id"))
    op.drop_table("pending_files")
