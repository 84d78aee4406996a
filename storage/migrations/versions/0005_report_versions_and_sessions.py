"""History: stored report versions; a webinar session's own target group; imported attendance at
repeat sessions of the same title (one registration per session, one per webinar in the bot).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models.base
from storage.models.base import JsonType

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BOT_REGISTRATIONS = sa.text("source = 'bot'")


def upgrade() -> None:
    op.create_table(
        "report_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("params_key", sa.String(length=200), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("params", JsonType, nullable=False),
        sa.Column("figures", JsonType, nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=2), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("workbook", sa.LargeBinary(), nullable=False),
        sa.Column("produced_by", sa.String(length=100), nullable=False),
        sa.Column("produced_at", storage.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("audit_mark", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_versions")),
        sa.UniqueConstraint("params_key", "number", name=op.f("uq_report_versions_params_key")),
    )
    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_versions_params_key"), ["params_key"], unique=False)

    with op.batch_alter_table("webinar_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target_group", sa.String(length=16), nullable=True))

    with op.batch_alter_table("webinar_registrations", schema=None) as batch_op:
        batch_op.drop_constraint("uq_webinar_registrations_webinar_id", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_webinar_registrations_session_id"), ["session_id", "staff_id"])
        batch_op.create_index("uq_webinar_registrations_bot_webinar_staff", ["webinar_id", "staff_id"], unique=True,
                              sqlite_where=BOT_REGISTRATIONS, postgresql_where=BOT_REGISTRATIONS)


def downgrade() -> None:
    # Imported attendance at a repeat session does not fit the old one-per-webinar rule: keep the first.
    op.execute(
        "DELETE FROM webinar_registrations WHERE id NOT IN "
        "(SELECT MIN(id) FROM webinar_registrations GROUP BY webinar_id, staff_id)"
    )
    with op.batch_alter_table("webinar_registrations", schema=None) as batch_op:
        batch_op.drop_index("uq_webinar_registrations_bot_webinar_staff")
        batch_op.drop_constraint(batch_op.f("uq_webinar_registrations_session_id"), type_="unique")
        batch_op.create_unique_constraint("uq_webinar_registrations_webinar_id", ["webinar_id", "staff_id"])

    with op.batch_alter_table("webinar_sessions", schema=None) as batch_op:
        batch_op.drop_column("target_group")

    with op.batch_alter_table("report_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_versions_params_key"))
    op.drop_table("report_versions")
