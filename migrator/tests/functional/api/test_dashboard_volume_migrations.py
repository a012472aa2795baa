"""GET /dashboard/volume-migrations on the compute API port: the JSON the
dashboard reads for the volume migrations in flight (the block storage
API is another origin for the browser). A real volume service copies a
1 GiB volume, throttled so that the copy lasts long enough to be read a
few times; the route shows it with its migration_progress rising and
the bytes that go with it, then drops it once it has finished."""
import webob

from migrator.tests.functional import control_plane
from migrator.tests.functional.volume import test_volume_migration

GiB = 1024 ** 3
PATH = '/dashboard/volume-migrations'


class TestDashboardVolumeMigrations(
        test_volume_migration.VolumeMigrationTestBase):
    # 1 GiB at 128 MiB/s: a copy of about 8 s.
    RATE_MIB = 128

    def setUp(self):
        super().setUp()
        self.compute = self.env.compute_app()

    def read(self, token='admin:admin'):
        resp = webob.Request.blank(
            PATH, headers={'X-Auth-Token': token}).get_response(
                self.compute)
        return resp.status_int, resp.json if resp.status_int == 200 else None

    def test_a_copy_shows_with_its_progress_then_leaves(self):
        self.assertEqual((200, []), (lambda r: (r[0], r[1][
            'volume_migrations']))(self.read()))
        volume_id = self.create_volume(fill=False)
        status, _ = self.migrate(volume_id, 'volume1@file2')
        self.assertEqual(202, status)
        seen = []

        def progress_seen():
            shown = [v for v in self.read()[1]['volume_migrations']
                     if v['id'] == volume_id]
            if shown and shown[0]['migration_progress'] is not None:
                seen.append(shown[0])
            return len({v['migration_progress'] for v in seen}) >= 3
        control_plane.wait_for(progress_seen, timeout=60, interval=0.2,
                               what='three different progress figures')
        entry = seen[-1]
        self.assertEqual('volume1@file1#file1', entry['source_host'])
        self.assertEqual('volume1@file2#file2', entry['destination_host'])
        self.assertEqual('migrating', entry['migration_status'])
        self.assertEqual('host-assisted', entry['migration_method'])
        self.assertEqual(GiB, entry['bytes_total'])
        percents = [int(v['migration_progress']) for v in seen]
        self.assertEqual(sorted(percents), percents)
        self.assertEqual(GiB * percents[-1] // 100, entry['bytes_copied'])

        self.wait_migration(volume_id)
        self.assertEqual([], self.read()[1]['volume_migrations'])

    def test_admin_only(self):
        self.assertEqual(403, self.read('demo:demo')[0])
        self.assertEqual(401, webob.Request.blank(PATH).get_response(
            self.compute).status_int)
