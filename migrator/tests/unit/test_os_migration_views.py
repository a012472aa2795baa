"""GET /os-migrations entries made straight from database rows are the
entries made from Migration objects, key for key, at every microversion
that changes them, with and without the host policy."""
import datetime
import json

import sqlalchemy as sa
import testtools

from migrator.api.compute.views import migrations as views
from migrator.api import microversion
from migrator.api import wsgi
from migrator.db.main import models
from migrator import objects
from migrator.objects import migration as migration_obj

T = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456)


def _request(version):
    req = wsgi.Request.blank('/v2.1/os-migrations')
    req.environ[wsgi.VERSION_KEY] = microversion.version(version)
    return req


class TestOsMigrationsFromRows(testtools.TestCase):

    def setUp(self):
        super().setUp()
        objects.register_all()
        engine = sa.create_engine('sqlite://')
        models.BASE.metadata.create_all(engine)
        table = models.Migration.__table__
        values = [
            dict(uuid='00000000-0000-4000-8000-%012d' % n, status=status,
                 migration_type=kind, created_at=T,
                 updated_at=None if n % 2 else T, deleted=0,
                 source_compute='host1', dest_compute='host2',
                 source_node='node1', dest_node='node2', dest_host=None,
                 instance_uuid='11111111-0000-4000-8000-%012d' % n,
                 old_instance_type_id=1, new_instance_type_id=n,
                 user_id='u', project_id='p', memory_total=n * 10,
                 memory_processed=None, hidden=False,
                 progress_detail='{"percent": 5}')
            for n, (status, kind) in enumerate([
                ('running', 'live-migration'), ('completed', 'migration'),
                ('queued', 'live-migration'), ('error', 'resize'),
                ('running (post-copy)', 'live-migration')])]
        with engine.begin() as conn:
            conn.execute(table.insert(), values)
            self.rows = conn.execute(
                sa.select(table).order_by(table.c.id)).all()
            # What list_migrations reads for the view: its columns only.
            self.narrow_rows = conn.execute(sa.select(*[
                table.c[name] for name in
                migration_obj.OS_MIGRATIONS_COLUMNS]).order_by(
                table.c.id)).all()
        self.objects = [migration_obj.MigrationList.from_row(None, row)
                        for row in self.rows]

    def test_same_entries_from_rows_and_objects(self):
        for version in ('2.1', '2.22', '2.23', '2.58', '2.59', '2.79',
                        '2.80', '2.105', '2.106', '2.107'):
            for show_host in (True, False):
                req = _request(version)
                from_rows = views.os_migrations(req, self.rows, show_host)
                from_objects = [views.os_migration(req, m, show_host)
                                for m in self.objects]
                self.assertEqual(json.dumps(from_objects),
                                 json.dumps(from_rows),
                                 (version, show_host))
                self.assertEqual(json.dumps(from_objects), json.dumps(
                    views.os_migrations(req, self.narrow_rows, show_host)),
                    (version, show_host))
        # Links of the in-progress live migrations, and the 2.106 figures.
        body = views.os_migrations(_request('2.106'), self.rows, True)
        self.assertEqual(['self', 'bookmark'],
                         [link['rel'] for link in body[0]['links']])
        self.assertNotIn('links', body[1])
        self.assertEqual(40, body[4]['memory_total'])
        self.assertEqual('2024-05-06T07:08:09.123456', body[0]['created_at'])
        self.assertIsNone(body[1]['updated_at'])
