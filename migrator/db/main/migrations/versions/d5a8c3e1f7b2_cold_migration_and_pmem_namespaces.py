"""Cold migration and resize: PMEM namespaces and migration contexts

``pmem_namespaces``: each compute host's persistent-memory namespaces (from
``[libvirt] pmem_namespaces``) and the instance each is assigned to;
``migration_contexts``: what a cold migration or resize moves (flavors,
old and new namespaces, whether their data is copied).

Revision ID: d5a8c3e1f7b2
Revises: c4d7e2a91f30
Create Date: 2026-12-01 08:40:00
"""
from alembic import op
import sqlalchemy as sa

revision = 'd5a8c3e1f7b2'
down_revision = 'c4d7e2a91f30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pmem_namespaces',
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('host', sa.String(255), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('label', sa.String(255), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('devpath', sa.String(255), nullable=False),
        sa.Column('backing', sa.String(16), nullable=False),
        sa.Column('instance_uuid', sa.String(36), nullable=True),
        sa.Column('migration_uuid', sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('host', 'name',
                            name='uniq_pmem_namespaces0host0name'),
    )
    op.create_index('pmem_namespaces_instance_uuid_idx', 'pmem_namespaces',
                    ['instance_uuid'], unique=False)
    op.create_table(
        'migration_contexts',
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('instance_uuid', sa.String(36), nullable=False),
        sa.Column('migration_uuid', sa.String(36), nullable=False),
        sa.Column('old_flavor', sa.Text(), nullable=True),
        sa.Column('new_flavor', sa.Text(), nullable=True),
        sa.Column('old_pmem', sa.Text(), nullable=True),
        sa.Column('new_pmem', sa.Text(), nullable=True),
        sa.Column('copy_pmem_devices', sa.Boolean(), nullable=False),
        sa.Column('old_vm_state', sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('instance_uuid',
                            name='uniq_migration_contexts0instance_uuid'),
    )
