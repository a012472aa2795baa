"""Drop instance_mappings' instance_uuid_idx: the unique constraint's
index already covers instance_uuid

``uniq_instance_mappings0instance_uuid`` is an index on exactly the same
column, and serves every lookup by instance uuid. The second one only
doubled the cost of each mapping written: a million random uuids
inserted into two uuid indexes outgrow a default InnoDB buffer pool
(128 MB), and ``map_instances`` (or any bulk insert) then reads and
writes index pages from disk for every few rows (1,000,000 instances on
MariaDB: 78 s for one INSERT ... SELECT with it, 15 s without).

Revision ID: f3a9c1d7e5b2
Revises: a1f0c7e2b3d4
Create Date: 2026-12-01 12:05:00
"""
from alembic import op


revision = 'f3a9c1d7e5b2'
down_revision = 'a1f0c7e2b3d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instance_mappings', schema=None) as batch_op:
        batch_op.drop_index('instance_uuid_idx')
