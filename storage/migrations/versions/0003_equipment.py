"""equipment: categories, catalogue items and budgets per entity; requests and their lines.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.models.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('equipment_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_nl', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_equipment_categories_entity_id_entities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equipment_categories')),
    sa.UniqueConstraint('entity_id', 'code', name=op.f('uq_equipment_categories_entity_id'))
    )
    op.create_table('equipment_budgets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('one_off', sa.Boolean(), nullable=False),
    sa.Column('updated_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['equipment_categories.id'], name=op.f('fk_equipment_budgets_category_id_equipment_categories')),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_equipment_budgets_entity_id_entities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equipment_budgets')),
    sa.UniqueConstraint('entity_id', 'category_id', 'year', name=op.f('uq_equipment_budgets_entity_id'))
    )
    with op.batch_alter_table('equipment_budgets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_equipment_budgets_category_id'), ['category_id'], unique=False)
    op.create_table('equipment_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_nl', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('min_months_in_service', sa.Integer(), nullable=False),
    sa.Column('needs_justification', sa.Boolean(), nullable=False),
    sa.Column('allowed_roles', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('needs_approval', sa.Boolean(), nullable=False),
    sa.Column('once_per_years', sa.Integer(), nullable=True),
    sa.Column('max_quantity', sa.Integer(), nullable=False),
    sa.Column('available_from', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['equipment_categories.id'], name=op.f('fk_equipment_items_category_id_equipment_categories')),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_equipment_items_entity_id_entities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equipment_items')),
    sa.UniqueConstraint('entity_id', 'code', name=op.f('uq_equipment_items_entity_id'))
    )
    with op.batch_alter_table('equipment_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_equipment_items_category_id'), ['category_id'], unique=False)
    op.create_table('equipment_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('justification', sa.Text(), nullable=True),
    sa.Column('delivery', sa.String(length=8), nullable=False),
    sa.Column('reasonable_adjustment', sa.Boolean(), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('ordered_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('delivered_on', sa.Date(), nullable=True),
    sa.Column('closed_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('handled_by', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('updated_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by'], ['staff.id'], name=op.f('fk_equipment_requests_decided_by_staff')),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_equipment_requests_entity_id_entities')),
    sa.ForeignKeyConstraint(['handled_by'], ['staff.id'], name=op.f('fk_equipment_requests_handled_by_staff')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_equipment_requests_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equipment_requests'))
    )
    with op.batch_alter_table('equipment_requests', schema=None) as batch_op:
        batch_op.create_index('ix_equipment_requests_entity_status', ['entity_id', 'status'], unique=False)
        batch_op.create_index('ix_equipment_requests_staff_status', ['staff_id', 'status'], unique=False)
    op.create_table('equipment_request_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['budget_id'], ['equipment_budgets.id'], name=op.f('fk_equipment_request_lines_budget_id_equipment_budgets')),
    sa.ForeignKeyConstraint(['category_id'], ['equipment_categories.id'], name=op.f('fk_equipment_request_lines_category_id_equipment_categories')),
    sa.ForeignKeyConstraint(['item_id'], ['equipment_items.id'], name=op.f('fk_equipment_request_lines_item_id_equipment_items')),
    sa.ForeignKeyConstraint(['request_id'], ['equipment_requests.id'], name=op.f('fk_equipment_request_lines_request_id_equipment_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equipment_request_lines'))
    )
    with op.batch_alter_table('equipment_request_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_equipment_request_lines_budget_id'), ['budget_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_equipment_request_lines_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_equipment_request_lines_request_id'), ['request_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('equipment_request_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_equipment_request_lines_request_id'))
        batch_op.drop_index(batch_op.f('ix_equipment_request_lines_item_id'))
        batch_op.drop_index(batch_op.f('ix_equipment_request_lines_budget_id'))
    op.drop_table('equipment_request_lines')
    with op.batch_alter_table('equipment_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_equipment_requests_staff_status')
        batch_op.drop_index('ix_equipment_requests_entity_status')
    op.drop_table('equipment_requests')
    with op.batch_alter_table('equipment_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_equipment_items_category_id'))
    op.drop_table('equipment_items')
    with op.batch_alter_table('equipment_budgets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_equipment_budgets_category_id'))
    op.drop_table('equipment_budgets')
    op.drop_table('equipment_categories')
