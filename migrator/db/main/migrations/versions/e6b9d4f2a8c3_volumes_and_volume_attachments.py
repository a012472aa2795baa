"""Volumes and volume attachments

Placeholder revision, filled in by the volume service work (issue 9).

Revision ID: e6b9d4f2a8c3
Revises: d5a8c3e1f7b2
Create Date: 2026-12-01 08:40:00
"""

revision = 'e6b9d4f2a8c3'
down_revision = 'd5a8c3e1f7b2'
branch_labels = None
depends_on = None


def upgrade():
    pass
