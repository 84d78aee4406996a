"""webinars: webinars, their entities and sessions, registrations (seats and waitlist), reminders,
and coaching requests.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('coaching_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=True),
    sa.Column('conversations', sa.Integer(), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('requested_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('assigned_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['coach_id'], ['staff.id'], name=op.f('fk_coaching_requests_coach_id_staff')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_coaching_requests_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_requests'))
    )
    with op.batch_alter_table('coaching_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_requests_coach_id'), ['coach_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coaching_requests_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index('ix_coaching_requests_status', ['status'], unique=False)

    op.create_table('webinars',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title_nl', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('description_nl', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('target_group', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], name=op.f('fk_webinars_created_by_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webinars'))
    )
    with op.batch_alter_table('webinars', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webinars_title_nl'), ['title_nl'], unique=False)

    op.create_table('webinar_entities',
    sa.Column('webinar_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_webinar_entities_entity_id_entities')),
    sa.ForeignKeyConstraint(['webinar_id'], ['webinars.id'], name=op.f('fk_webinar_entities_webinar_id_webinars'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('webinar_id', 'entity_id', name=op.f('pk_webinar_entities'))
    )
    op.create_table('webinar_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('webinar_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('join_url', sa.String(length=1000), nullable=False),
    sa.CheckConstraint('seats_taken >= 0 AND seats_taken <= capacity', name=op.f('ck_webinar_sessions_seats_within_capacity')),
    sa.ForeignKeyConstraint(['webinar_id'], ['webinars.id'], name=op.f('fk_webinar_sessions_webinar_id_webinars'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webinar_sessions')),
    sa.UniqueConstraint('webinar_id', 'starts_at', name=op.f('uq_webinar_sessions_webinar_id'))
    )
    with op.batch_alter_table('webinar_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webinar_sessions_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webinar_sessions_webinar_id'), ['webinar_id'], unique=False)

    op.create_table('webinar_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('webinar_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('registered_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('seated_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['webinar_sessions.id'], name=op.f('fk_webinar_registrations_session_id_webinar_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_webinar_registrations_staff_id_staff'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['webinar_id'], ['webinars.id'], name=op.f('fk_webinar_registrations_webinar_id_webinars'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webinar_registrations')),
    sa.UniqueConstraint('webinar_id', 'staff_id', name=op.f('uq_webinar_registrations_webinar_id'))
    )
    with op.batch_alter_table('webinar_registrations', schema=None) as batch_op:
        batch_op.create_index('ix_webinar_registrations_session_status', ['session_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_webinar_registrations_staff_id'), ['staff_id'], unique=False)

    op.create_table('webinar_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('hours_before', sa.Integer(), nullable=False),
    sa.Column('claimed_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=100), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['webinar_registrations.id'], name=op.f('fk_webinar_reminders_registration_id_webinar_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webinar_reminders')),
    sa.UniqueConstraint('registration_id', 'hours_before', name=op.f('uq_webinar_reminders_registration_id'))
    )


def downgrade() -> None:
    op.drop_table("webinar_reminders")
    with op.batch_alter_table("webinar_registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webinar_registrations_staff_id"))
        batch_op.drop_index("ix_webinar_registrations_session_status")
    op.drop_table("webinar_registrations")
    with op.batch_alter_table("webinar_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webinar_sessions_webinar_id"))
        batch_op.drop_index(batch_op.f("ix_webinar_sessions_starts_at"))
    op.drop_table("webinar_sessions")
    op.drop_table("webinar_entities")
    with op.batch_alter_table("webinars", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webinars_title_nl"))
    op.drop_table("webinars")
    with op.batch_alter_table("coaching_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_coaching_requests_status")
        batch_op.drop_index(batch_op.f("ix_coaching_requests_staff_id"))
        batch_op.drop_index(batch_op.f("ix_coaching_requests_coach_id"))
    op.drop_table("coaching_requests")
