"""Cold migration and resize: PMEM namespaces and migration contexts

Placeholder revision, filled in by the cold-migration work (issue 8), so
that the volume tables can chain after it.

Revision ID: d5a8c3e1f7b2
Revises: c4d7e2a91f30
Create Date: 2026-12-01 08:40:00
"""

revision = 'd5a8c3e1f7b2'
down_revision = 'c4d7e2a91f30'
branch_labels = None
depends_on = None


def upgrade():
    pass
