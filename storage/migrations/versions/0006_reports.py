"""reports: no tables of its own. The report aggregates the other areas' tables with the indexes they
already have (work_registrations: unique (staff_id, day) and ix day; staff_assignments: (staff_id,
valid_from) and entity_id); see docs/benchmarks.md, "Report".

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
