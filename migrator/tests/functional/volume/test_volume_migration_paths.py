"""A volume record or RPC answer that points outside the backends'
directories ends the migration in error before anything is written,
copied or deleted there; the volume stays where it was (detached, on
another volume service, or attached and swapped by its compute)."""
import os

import fixtures

from migrator.objects import volume as volume_obj
from migrator.tests.functional.volume import test_volume_attachments
from migrator.tests.functional.volume import test_volume_migration as base
from migrator.tests.functional.volume import test_volume_migration_hosts \
    as hosts


class TestHostilePaths(hosts.CrossHostBase):

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger(
            name='migrator.safe_path'))
        self.secret = os.path.join(self.env.state, 'secret')
        with open(self.secret, 'wb') as handle:
            handle.write(b'keep me')

    def record(self, volume_id):
        return volume_obj.Volume.get_by_uuid(self.env.plane.admin,
                                             volume_id)

    def assert_untouched(self, volume_id):
        volume = self.wait_migration(volume_id)
        self.assertEqual('error', volume['migration_status'])
        self.assertEqual('available', volume['status'])
        self.assertEqual('volume1@file1#file1',
                         volume['os-vol-host-attr:host'])
        with open(self.secret, 'rb') as handle:
            self.assertEqual(b'keep me', handle.read())
        self.assertEqual([], os.listdir(os.path.join(
            self.env.state, 'volumes', 'file2', 'file2')))
        self.assertIn('Refused path', self.log.output)
        return volume

    def test_name_pointing_out_of_the_backend_is_refused(self):
        volume_id = self.create_volume(fill=False)
        record = self.record(volume_id)
        record.name_id = '../../../../secret'
        record.save()
        status, _ = self.migrate(volume_id, 'volume1@file2')
        self.assertEqual(202, status)
        self.assert_untouched(volume_id)
        self.assertEqual([], self.targets_left())

    def test_destination_answering_a_path_elsewhere_is_refused(self):
        volume_id = self.create_volume(fill=False)
        source = self.path(volume_id)
        real = self.remote.manager.create_migration_target

        def lying(*args, **kwargs):
            placed = real(*args, **kwargs)
            placed['path'] = self.secret
            return placed
        self.useFixture(fixtures.MonkeyPatch(
            'migrator.volume.manager.VolumeManager.create_migration_target',
            lambda manager, *a, **kw: lying(*a, **kw)))
        status, _ = self.migrate(volume_id, hosts.REMOTE)
        self.assertEqual(202, status)
        self.assert_untouched(volume_id)
        self.assertEqual(source, self.path(volume_id))
        self.assertTrue(os.path.exists(source))
        # The target the destination made is deleted again.
        hosts.control_plane.wait_for(
            lambda: not os.listdir(self.remote_dir) and
            not self.targets_left(),
            what='the destination to delete the target')


class TestHostileConnectionInfo(test_volume_attachments.AttachmentsTestBase):

    def test_swap_into_a_path_elsewhere_is_refused(self):
        # The volume service answers the target's connection with a path
        # outside the volume files (a tampered reply): the compute refuses
        # it, the migration ends in error, the volume stays attached.
        secret = os.path.join(self.env.state, 'secret')
        with open(secret, 'wb') as handle:
            handle.write(b'keep me')
        log = self.useFixture(fixtures.FakeLogger(name='migrator.safe_path'))
        volume_id = self.create_volume(fill=False)
        source = self.path(volume_id)
        self.attach(volume_id)
        self.wait_status(volume_id, 'in-use')
        real = self.manager.initialize_connection

        def lying(context, volume, connector=None):
            info = real(context, volume, connector)
            if volume.uuid != volume_id:
                info['data']['path'] = secret
            return info
        self.useFixture(fixtures.MonkeyPatch(
            'migrator.volume.manager.VolumeManager.initialize_connection',
            lambda manager, *a, **kw: lying(*a, **kw)))
        status, _ = self.migrate(volume_id, 'volume1@file2')
        self.assertEqual(202, status)
        volume = self.wait_migration(volume_id)
        self.assertEqual('error', volume['migration_status'])
        self.assertEqual('in-use', volume['status'])
        self.assertEqual('volume1@file1#file1',
                         volume['os-vol-host-attr:host'])
        self.assertEqual(source, self.path(volume_id))
        self.assertTrue(os.path.exists(source))
        with open(secret, 'rb') as handle:
            self.assertEqual(b'keep me', handle.read())
        self.assertIn("Refused path '%s'" % secret, log.output)
        self.assertEqual('ACTIVE', self.server_status())


class TestHostileRecordAtStart(base.VolumeMigrationTestBase):

    def test_service_starts_and_ends_a_migration_with_a_hostile_name(self):
        # A driver-assisted move cut short, whose record names a file
        # outside the array: the restarted service refuses to look at
        # it, ends the migration in error and runs.
        log = self.useFixture(fixtures.FakeLogger(name='migrator.safe_path'))
        volume_id = self.create_volume(volume_type='assisted', fill=False)
        volume = volume_obj.Volume.get_by_uuid(self.env.plane.admin,
                                               volume_id)
        dest = volume.host.rsplit('#', 1)[0] + '#pool-b'
        volume.migration_status = 'migrating'
        volume.migration_method = volume_obj.DRIVER_ASSISTED
        volume.migration_dest_host = dest
        volume.name_id = '../../../../secret'
        volume.save()
        self.env.volume_service.restart()
        volume = self.show(volume_id)
        self.assertEqual('error', volume['migration_status'])
        self.assertIn('Refused path', log.output)
        # And it serves: a new volume is created.
        self.create_volume(fill=False)
