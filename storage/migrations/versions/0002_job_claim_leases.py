"""Leases on scheduled job slots: a slot is held until claimed_until and marked finished_at when
done, so another instance takes over a slot whose holder died.

Slots claimed before this revision were run by the old scheme (claim and run at once); they are
marked finished, so nothing is rerun.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models.base import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job_claims") as batch:
        batch.add_column(sa.Column("claimed_until", UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("finished_at", UtcDateTime(timezone=True), nullable=True))
    op.execute("UPDATE job_claims SET finished_at = claimed_at")


def downgrade() -> None:
    with op.batch_alter_table("job_claims") as batch:
        batch.drop_column("finished_at")
        batch.drop_column("claimed_until")
