"""Volumes and volume attachments

Revision ID: e6b9d4f2a8c3
Revises: d5a8c3e1f7b2
Create Date: 2026-12-01 08:40:00
"""
from alembic import op
import sqlalchemy as sa

revision = 'e6b9d4f2a8c3'
down_revision = 'd5a8c3e1f7b2'
branch_labels = None
depends_on = None


def _timestamps():
    return [sa.Column('created_at', sa.DateTime(), nullable=True),
            sa.Column('updated_at', sa.DateTime(), nullable=True),
            sa.Column('deleted_at', sa.DateTime(), nullable=True),
            sa.Column('deleted', sa.Integer(), nullable=False)]


def upgrade():
    op.create_table(
        'volumes',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('user_id', sa.String(length=255), nullable=True),
        sa.Column('project_id', sa.String(length=255), nullable=True),
        sa.Column('display_name', sa.String(length=255), nullable=True),
        sa.Column('display_description', sa.String(length=255),
                  nullable=True),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=255), nullable=True),
        sa.Column('previous_status', sa.String(length=255), nullable=True),
        sa.Column('attach_status', sa.String(length=255), nullable=True),
        sa.Column('host', sa.String(length=255), nullable=True),
        sa.Column('availability_zone', sa.String(length=255),
                  nullable=True),
        sa.Column('volume_type', sa.String(length=255), nullable=True),
        sa.Column('bootable', sa.Boolean(), nullable=True),
        sa.Column('multiattach', sa.Boolean(), nullable=True),
        sa.Column('metadata', sa.Text(), nullable=True),
        sa.Column('migration_status', sa.String(length=255),
                  nullable=True),
        sa.Column('name_id', sa.String(length=36), nullable=True),
        sa.Column('migration_method', sa.String(length=32), nullable=True),
        sa.Column('migration_dest_host', sa.String(length=255),
                  nullable=True),
        sa.Column('launched_at', sa.DateTime(), nullable=True),
        sa.Column('terminated_at', sa.DateTime(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uuid', name='uniq_volumes0uuid'))
    with op.batch_alter_table('volumes', schema=None) as batch_op:
        batch_op.create_index('volumes_project_id_deleted_idx',
                              ['project_id', 'deleted'], unique=False)
        batch_op.create_index('volumes_host_deleted_idx',
                              ['host', 'deleted'], unique=False)
        batch_op.create_index('volumes_created_at_id_idx',
                              ['created_at', 'id'], unique=False)

    op.create_table(
        'volume_attachments',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('bdm_uuid', sa.String(length=36), nullable=True),
        sa.Column('volume_id', sa.String(length=36), nullable=False),
        sa.Column('instance_uuid', sa.String(length=36), nullable=True),
        sa.Column('attached_host', sa.String(length=255), nullable=True),
        sa.Column('mountpoint', sa.String(length=255), nullable=True),
        sa.Column('attach_status', sa.String(length=255), nullable=True),
        sa.Column('attach_mode', sa.String(length=36), nullable=True),
        sa.Column('delete_on_termination', sa.Boolean(), nullable=True),
        sa.Column('attach_time', sa.DateTime(), nullable=True),
        sa.Column('detach_time', sa.DateTime(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uuid', name='uniq_volume_attachments0uuid'))
    with op.batch_alter_table('volume_attachments', schema=None) as batch_op:
        batch_op.create_index('volume_attachments_volume_id_deleted_idx',
                              ['volume_id', 'deleted'], unique=False)
        batch_op.create_index(
            'volume_attachments_instance_uuid_deleted_idx',
            ['instance_uuid', 'deleted'], unique=False)
