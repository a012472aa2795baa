"""Index migrations on (deleted, created_at, id) for os-migrations paging

Every listing filters on ``deleted = 0``; without statistics (SQLite is
never ANALYZEd by migrator) the planner then picks the index that starts
with ``deleted`` and sorts the whole table for ``ORDER BY created_at
DESC, id DESC``. With ``deleted`` leading this index, the same equality
also yields the order and the marker's range: a page is a seek and a
short scan at any table size.

Revision ID: c4d7e2a91f30
Revises: b2e1d8f3c4a5
Create Date: 2026-11-22 12:10:00
"""
from alembic import op


revision = 'c4d7e2a91f30'
down_revision = 'b2e1d8f3c4a5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('migrations', schema=None) as batch_op:
        batch_op.create_index('migrations_deleted_created_at_id_idx',
                              ['deleted', 'created_at', 'id'], unique=False)
