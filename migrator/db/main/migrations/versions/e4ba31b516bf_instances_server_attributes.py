"""Instances: server_attributes and tags, Nova request fields kept for
the API

server_attributes: a JSON object of the fields a server-create or
server-update request carries that migrator stores and shows but has no
column for: description, hostname, accessIPv4/6, key_name, user_data,
security_groups, scheduler_hints, ... tags: the server's tags as
",a,b," (a tag has no comma), so that the tag filters are a LIKE.
volume_attachments.tag: the device tag given at attach (2.49).

Revision ID: e4ba31b516bf
Revises: e6b9d4f2a8c3
Create Date: 2026-12-01 12:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = 'e4ba31b516bf'
down_revision = 'e6b9d4f2a8c3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('server_attributes', sa.Text(),
                                      nullable=True))
        batch_op.add_column(sa.Column('tags', sa.Text(), nullable=True))
    with op.batch_alter_table('volume_attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tag', sa.String(length=255),
                                      nullable=True))
