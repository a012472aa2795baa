"""Fill a cell database with instances fast, and read instance mappings
back: what the map_instances tests and benchmark share.

Rows are written with multi-row INSERTs in chunks (no ORM), so a million
instances take seconds, in constant memory.
"""
import datetime
import hashlib
import uuid as uuid_lib

import sqlalchemy as sa

from migrator.db.main import models as main_models

CHUNK = 5000


def seed_uuid(n):
    """A version-4-looking uuid, the same for the same ``n``: random
    order, as real instance uuids are."""
    return str(uuid_lib.UUID(bytes=hashlib.md5(
        b'instance-%d' % n, usedforsecurity=False).digest(), version=4))


def instance_rows(count, start=0, deleted_every=10):
    """Dicts of ``count`` instances; every ``deleted_every``-th deleted
    (Nova's soft delete: ``deleted`` = id)."""
    base = datetime.datetime(2024, 1, 1)
    for n in range(start, start + count):
        deleted = deleted_every and n % deleted_every == deleted_every - 1
        yield {
            'id': n + 1,
            'uuid': seed_uuid(n),
            'display_name': 'vm-%d' % n,
            'project_id': 'project-%d' % (n % 97),
            'user_id': 'user-%d' % (n % 13),
            'vm_state': 'deleted' if deleted else 'active',
            'power_state': 1,
            'created_at': base + datetime.timedelta(seconds=n),
            'deleted': (n + 1) if deleted else 0,
            'deleted_at': base if deleted else None,
        }


def fill_instances(engine, count, start=0, deleted_every=10):
    """Insert ``count`` instances into the cell database of ``engine``."""
    table = main_models.Instance.__table__
    rows = instance_rows(count, start, deleted_every)
    while True:
        chunk = [row for _, row in zip(range(CHUNK), rows)]
        if not chunk:
            return
        with engine.begin() as conn:
            conn.execute(table.insert(), chunk)


def instance_uuids(engine):
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.text(
            'SELECT uuid FROM instances ORDER BY id'))]


def mapping_counts(api_engine, marker='INSTANCE_MIGRATION_MARKER'):
    """{instance_uuid: number of mappings} of the real (non-marker)
    mappings, and the number of marker rows."""
    with api_engine.connect() as conn:
        rows = conn.execute(sa.text(
            'SELECT instance_uuid, count(*) FROM instance_mappings '
            'WHERE project_id != :m GROUP BY instance_uuid'),
            {'m': marker}).all()
        markers = conn.execute(sa.text(
            'SELECT count(*) FROM instance_mappings WHERE project_id = :m'),
            {'m': marker}).scalar()
    return dict(rows), markers
