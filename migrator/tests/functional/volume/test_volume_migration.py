"""Volume migration through the block storage API over real HTTP, with
the real volume service copying through migrator.transfer: migration
status, migration_progress at 3.72 (who sees it, when), driver-assisted
moves, failures that leave the volume intact, and a restart mid-copy."""
import hashlib
import os
import resource
import signal

import testtools

from migrator.api import server as api_server
from migrator import exception
from migrator.objects import volume as volume_obj
from migrator.tests.functional import control_plane
from migrator.tests.functional.volume import api_fixture
from migrator.tests import rest_client

GiB = 1024 ** 3


def sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(8 * 1024 * 1024), b''):
            digest.update(block)
    return digest.hexdigest()


class VolumeMigrationTestBase(testtools.TestCase):
    # 1 GiB at this rate: a copy of about 4 s, long enough to read the
    # progress several times.
    RATE_MIB = 256

    def setUp(self):
        super().setUp()
        self.env = self.useFixture(api_fixture.VolumeAPI())
        self.env.conf.config(copy_rate_limit_mib=self.RATE_MIB,
                             progress_interval=0.1, group='volume')
        self.env.conf.config(array_move_rate_mib=256, group='assisted')
        server = api_server.WSGIServer(self.env.app(), '127.0.0.1', 0,
                                       threads=8)
        server.start()
        self.addCleanup(server.stop)
        self.http = rest_client.RESTClient('volume', server.url + '/v3')

    @property
    def manager(self):
        return self.env.volume_service.manager

    def create_volume(self, size=1, volume_type='file1', fill=True):
        status, body = self.http.request('POST', '/volumes', {
            'volume': {'size': size, 'name': 'mig', 'volume_type':
                       volume_type}})
        self.assertEqual(202, status, body)
        volume_id = body['volume']['id']
        self.wait_status(volume_id, 'available')
        if fill:
            # Some data that is not zeros, at a few places.
            with open(self.path(volume_id), 'r+b') as handle:
                for offset in range(0, size * GiB, 97 * 1024 ** 2):
                    handle.seek(offset)
                    handle.write(os.urandom(64 * 1024))
        return volume_id

    def show(self, volume_id, version='3.72', token='admin:admin'):
        status, body = self.http.request('GET', '/volumes/%s' % volume_id,
                                         token=token, version=version)
        self.assertEqual(200, status, body)
        return body['volume']

    def wait_status(self, volume_id, status, timeout=60):
        return control_plane.wait_for(
            lambda: (lambda v: v if v['status'] == status else None)(
                self.show(volume_id)),
            timeout=timeout, what='volume %s to be %s' % (volume_id,
                                                          status))

    def wait_migration(self, volume_id, statuses=('success', 'error'),
                       timeout=120):
        return control_plane.wait_for(
            lambda: (lambda v: v if v['migration_status'] in statuses
                     else None)(self.show(volume_id)),
            timeout=timeout, interval=0.05,
            what='migration of %s to reach %s' % (volume_id, statuses))

    def path(self, volume_id):
        volume = volume_obj.Volume.get_by_uuid(self.env.plane.admin,
                                               volume_id)
        backend, pool = self.manager.backend_and_pool(volume.host)
        return backend.path(volume.name, pool)

    def limit_file_size_once_migrating(self, volume_id, limit=GiB // 2):
        """Once the copy runs (its target exists), writes of this process
        past ``limit`` bytes fail (EFBIG): the copy breaks half-way.
        Returns the function that lifts the limit."""
        previous = resource.getrlimit(resource.RLIMIT_FSIZE)
        old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        self.addCleanup(signal.signal, signal.SIGXFSZ, old_handler)
        self.addCleanup(resource.setrlimit, resource.RLIMIT_FSIZE,
                        previous)
        control_plane.wait_for(
            lambda: self.show(volume_id)['migration_status'] == 'migrating',
            interval=0.02, what='the copy to start')
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, previous[1]))
        return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, previous)

    def migrate(self, volume_id, host, **extra):
        body = {'os-migrate_volume': dict(host=host, **extra)}
        return self.http.request('POST', '/volumes/%s/action' % volume_id,
                                 body)


class TestHostAssistedMigration(VolumeMigrationTestBase):

    def test_progress_rises_for_admin_only_and_ends(self):
        volume_id = self.create_volume()
        before = sha256(self.path(volume_id))
        status, _ = self.migrate(volume_id, 'volume1@file2')
        self.assertEqual(202, status)
        seen = []
        member_checked = old_version_checked = False
        while True:
            volume = self.show(volume_id)
            if volume['migration_status'] in ('success', 'error'):
                break
            if volume['migration_status'] == 'migrating' and \
                    'migration_progress' in volume:
                seen.append(int(volume['migration_progress']))
                if not old_version_checked:
                    self.assertNotIn('migration_progress',
                                     self.show(volume_id, '3.71'))
                    old_version_checked = True
                if not member_checked:
                    # The member's project does not own it: not even
                    # visible; with a policy that lets members read it,
                    # the admin-only fields stay hidden (gabbi tests).
                    status, _ = self.http.request(
                        'GET', '/volumes/%s' % volume_id,
                        token='demo:admin', version='3.72')
                    self.assertEqual(200, status)
                    shown = self.http.request(
                        'GET', '/volumes/%s' % volume_id,
                        token='demo:admin', version='3.72')[1]['volume']
                    self.assertNotIn('migration_progress', shown)
                    self.assertNotIn('migration_status', shown)
                    member_checked = True
            control_plane.time.sleep(0.15)
        self.assertEqual('success', volume['migration_status'])
        self.assertTrue(member_checked and old_version_checked)
        self.assertGreaterEqual(len(set(seen)), 3, seen)
        self.assertEqual(sorted(seen), seen, 'progress went backwards')
        self.assertNotIn('migration_progress', volume)
        self.assertEqual('available', volume['status'])
        self.assertEqual('volume1@file2#file2',
                         volume['os-vol-host-attr:host'])
        self.assertIsNotNone(volume['os-vol-mig-status-attr:name_id'])
        self.assertEqual(before, sha256(self.path(volume_id)))
        # The source data is gone, the target record too.
        self.assertEqual([], os.listdir(os.path.join(
            self.env.state, 'volumes', 'file1', 'file1')))
        status, listed = self.http.request('GET', '/volumes?all_tenants=1')
        self.assertEqual([volume_id], [v['id'] for v in listed['volumes']])

    def test_failure_half_way_leaves_the_volume_intact(self):
        volume_id = self.create_volume()
        source = self.path(volume_id)
        before = sha256(source)
        status, _ = self.migrate(volume_id, 'volume1@file2')
        self.assertEqual(202, status)
        lift = self.limit_file_size_once_migrating(volume_id)
        volume = self.wait_migration(volume_id)
        lift()
        self.assertEqual('error', volume['migration_status'])
        self.assertEqual('available', volume['status'])
        self.assertEqual('volume1@file1#file1',
                         volume['os-vol-host-attr:host'])
        self.assertNotIn('migration_progress', volume)
        self.assertEqual(source, self.path(volume_id))
        self.assertEqual(before, sha256(source))
        self.assertEqual([], os.listdir(os.path.join(
            self.env.state, 'volumes', 'file2', 'file2')))
        # It can be migrated again.
        status, _ = self.migrate(volume_id, 'volume1@file2')
        self.assertEqual(202, status)
        self.assertEqual('success',
                         self.wait_migration(volume_id)['migration_status'])
        self.assertEqual(before, sha256(self.path(volume_id)))

    def test_lock_volume_is_maintenance_while_migrating(self):
        volume_id = self.create_volume(fill=False)
        self.migrate(volume_id, 'volume1@file2', lock_volume=True)
        control_plane.wait_for(
            lambda: self.show(volume_id)['status'] == 'maintenance',
            what='maintenance')
        status, body = self.migrate(volume_id, 'volume1@assisted')
        self.assertEqual(400, status)
        self.assertIn('must not be migrating', body['badRequest']['message'])
        status, body = self.http.request('DELETE', '/volumes/%s'
                                         % volume_id)
        self.assertEqual(400, status)
        volume = self.wait_migration(volume_id)
        self.assertEqual('available', volume['status'])

    def test_progress_is_omitted_when_the_service_does_not_answer(self):
        volume_id = self.create_volume(fill=False)
        self.migrate(volume_id, 'volume1@file2')
        control_plane.wait_for(
            lambda: 'migration_progress' in self.show(volume_id),
            what='progress')
        self.env.conf.config(migration_progress_timeout=0.2,
                             group='volume')
        board = self.manager.progress
        original = board.get
        self.addCleanup(setattr, board, 'get', original)
        board.get = lambda volume_id: control_plane.time.sleep(1)
        volume = self.show(volume_id)
        self.assertEqual('migrating', volume['migration_status'])
        self.assertNotIn('migration_progress', volume)
        board.get = original
        self.wait_migration(volume_id)


class TestListDetail(VolumeMigrationTestBase):

    def test_detail_list_shows_each_migrating_volume_progress(self):
        first = self.create_volume(fill=False)
        second = self.create_volume(fill=False)
        idle = self.create_volume(fill=False, volume_type='file2')
        self.migrate(first, 'volume1@file2')
        self.migrate(second, 'volume1@assisted#pool-a')

        def listed():
            status, body = self.http.request('GET', '/volumes/detail',
                                             version='3.72')
            return {v['id']: v for v in body['volumes']}
        volumes = control_plane.wait_for(
            lambda: (lambda vs: vs if all(
                'migration_progress' in vs[v] for v in (first, second))
                else None)(listed()), what='both progresses')
        self.assertNotIn('migration_progress', volumes[idle])
        self.wait_migration(first)
        self.wait_migration(second)


class TestDriverAssistedMigration(VolumeMigrationTestBase):

    def test_driver_assisted_shows_the_fixed_string(self):
        volume_id = self.create_volume(volume_type='assisted')
        before = sha256(self.path(volume_id))
        status, _ = self.migrate(volume_id, 'volume1@assisted#pool-b')
        self.assertEqual(202, status)
        volume = control_plane.wait_for(
            lambda: (lambda v: v if 'migration_progress' in v else None)(
                self.show(volume_id)), what='driver-assisted progress')
        self.assertEqual('driver-assisted', volume['migration_progress'])
        volume = self.wait_migration(volume_id)
        self.assertEqual('success', volume['migration_status'])
        self.assertEqual('volume1@assisted#pool-b',
                         volume['os-vol-host-attr:host'])
        self.assertIsNone(volume['os-vol-mig-status-attr:name_id'])
        self.assertEqual(before, sha256(self.path(volume_id)))

    def test_force_host_copy_copies_with_figures(self):
        volume_id = self.create_volume(volume_type='assisted', fill=False)
        self.migrate(volume_id, 'volume1@assisted#pool-b',
                     force_host_copy=True)
        volume = control_plane.wait_for(
            lambda: (lambda v: v if 'migration_progress' in v else None)(
                self.show(volume_id)), what='host copy progress')
        self.assertTrue(volume['migration_progress'].isdigit())
        self.assertEqual('success',
                         self.wait_migration(volume_id)['migration_status'])


class TestRestartMidCopy(VolumeMigrationTestBase):

    def test_restarted_service_ends_the_migration_cleanly(self):
        volume_id = self.create_volume()
        before = sha256(self.path(volume_id))
        self.migrate(volume_id, 'volume1@file2')
        control_plane.wait_for(
            lambda: int(self.show(volume_id).get('migration_progress',
                                                 0)) >= 10,
            what='the copy to be under way')
        self.env.volume_service.restart()
        volume = self.wait_migration(volume_id)
        self.assertEqual('error', volume['migration_status'])
        self.assertEqual('available', volume['status'])
        self.assertEqual('volume1@file1#file1',
                         volume['os-vol-host-attr:host'])
        self.assertEqual(before, sha256(self.path(volume_id)))
        self.assertEqual([], os.listdir(os.path.join(
            self.env.state, 'volumes', 'file2', 'file2')))
        # No target record is left behind.
        admin = self.env.plane.admin
        left = [v for v in volume_obj.VolumeList.get_by_filters(admin, {})
                if (v.migration_status or '').startswith('target:')]
        self.assertEqual([], left)

    def test_a_crashed_copy_is_cleaned_up_at_start(self):
        # What a service killed mid-copy leaves: the volume migrating, a
        # target record and its half-written file.
        volume_id = self.create_volume()
        before = sha256(self.path(volume_id))
        admin = self.env.plane.admin
        volume = volume_obj.Volume.get_by_uuid(admin, volume_id)
        volume.migration_status = 'migrating'
        volume.migration_method = volume_obj.HOST_ASSISTED
        volume.migration_dest_host = 'volume1@file2#file2'
        volume.save()
        target = volume_obj.Volume(
            admin, size=1, host='volume1@file2#file2', status='available',
            migration_status='target:' + volume_id, project_id='admin')
        target.create()
        backend, pool = self.manager.backend_and_pool(target.host)
        with open(backend.path(target.name, pool), 'wb') as handle:
            handle.write(b'half' * 1024)
        self.assertEqual('migrating', self.show(volume_id)[
            'migration_status'])
        self.env.volume_service.restart()
        volume = self.show(volume_id)
        self.assertEqual('error', volume['migration_status'])
        self.assertEqual('available', volume['status'])
        self.assertNotIn('migration_progress', volume)
        self.assertEqual(before, sha256(self.path(volume_id)))
        self.assertFalse(os.path.exists(backend.path(target.name, pool)))
        self.assertRaises(exception.VolumeNotFound,
                          volume_obj.Volume.get_by_uuid, admin,
                          target.uuid)
