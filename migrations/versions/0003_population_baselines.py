"""Population baselines for disproportionality

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('population_baselines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area', sa.String(length=80), nullable=False),
    sa.Column('ethnic_group', sa.String(length=20), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_population_baselines')),
    sa.UniqueConstraint('area', 'ethnic_group', name=op.f('uq_population_baselines_area_ethnic_group'))
    )


def downgrade():
    op.drop_table('population_baselines')
