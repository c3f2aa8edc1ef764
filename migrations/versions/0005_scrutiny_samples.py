"""Scrutiny samples: random samples of reports for an external panel, with the panel's grades

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scrutiny_samples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('area', sa.String(length=80), nullable=True),
    sa.Column('size_requested', sa.Integer(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('stratified', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_scrutiny_samples_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scrutiny_samples'))
    )
    op.create_table('scrutiny_sample_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('stratum', sa.String(length=40), nullable=False),
    sa.Column('grade', sa.String(length=5), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=True),
    sa.Column('graded_at', sa.DateTime(), nullable=True),
    sa.Column('graded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['graded_by_id'], ['users.id'], name=op.f('fk_scrutiny_sample_items_graded_by_id_users')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_scrutiny_sample_items_report_id_reports')),
    sa.ForeignKeyConstraint(['sample_id'], ['scrutiny_samples.id'], name=op.f('fk_scrutiny_sample_items_sample_id_scrutiny_samples'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scrutiny_sample_items')),
    sa.UniqueConstraint('sample_id', 'position', name=op.f('uq_scrutiny_sample_items_sample_id_position')),
    sa.UniqueConstraint('sample_id', 'report_id', name=op.f('uq_scrutiny_sample_items_sample_id_report_id'))
    )


def downgrade():
    op.drop_table('scrutiny_sample_items')
    op.drop_table('scrutiny_samples')
