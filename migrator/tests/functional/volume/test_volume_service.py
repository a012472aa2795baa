"""migrator-volume over its real RPC entry points: backends, create and
delete, os-services rows, and the progress answer."""
import os

import fixtures
import testtools

from migrator.objects import service as service_obj
from migrator.objects import volume as volume_obj
from migrator.rpcapi import volume as volume_rpcapi
from migrator.tests import fixtures as migrator_fixtures
from migrator.tests.functional import control_plane
from migrator.tests.functional.volume import fixtures as volume_fixtures


class VolumeServiceTestBase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(migrator_fixtures.ConfFixture())
        self.useFixture(migrator_fixtures.Database())
        self.useFixture(migrator_fixtures.RPCFixture())
        self.state = self.useFixture(fixtures.TempDir()).path
        volume_fixtures.configure_backends(self.conf, self.state)
        self.volume_service = self.useFixture(
            volume_fixtures.VolumeService())
        self.ctxt = volume_fixtures.admin()
        self.rpcapi = volume_rpcapi.VolumeAPI()

    def path_of(self, volume):
        volume.refresh()
        backend, pool = self.volume_service.manager.backend_and_pool(
            volume.host)
        return backend.path(volume.name, pool)


class TestVolumeService(VolumeServiceTestBase):

    def test_one_service_row_per_backend(self):
        rows = service_obj.ServiceList.get_all(self.ctxt,
                                               binary='migrator-volume')
        self.assertEqual(['volume1@assisted', 'volume1@file1',
                          'volume1@file2'], sorted(r.host for r in rows))
        self.assertTrue(all(r.is_up for r in rows))

    def test_create_and_delete(self):
        volume = volume_fixtures.make_volume(self.ctxt, size=1)
        path = self.path_of(volume)
        self.assertEqual(os.path.join(self.state, 'volumes', 'file1',
                                      'file1', 'volume-' + volume.uuid),
                         path)
        self.assertEqual(1024 ** 3, os.path.getsize(path))
        self.rpcapi.delete_volume(self.ctxt, volume)
        control_plane.wait_for(lambda: not os.path.exists(path),
                               what='the volume file to go')
        self.ctxt.read_deleted = 'yes'
        control_plane.wait_for(
            lambda: volume_obj.Volume.get_by_uuid(self.ctxt,
                                                  volume.uuid).deleted,
            what='the volume to be deleted')

    def test_create_on_unknown_backend_is_error(self):
        volume = volume_fixtures.make_volume(self.ctxt, create=False,
                                             backend='nope')
        self.rpcapi.create_volume(self.ctxt, volume)
        control_plane.wait_for(
            lambda: volume_obj.Volume.get_by_uuid(
                self.ctxt, volume.uuid).status == volume_obj.ERROR,
            what='the volume to go to error')

    def test_progress_of_a_volume_not_migrating_is_none(self):
        volume = volume_fixtures.make_volume(self.ctxt)
        self.assertIsNone(self.rpcapi.get_migration_progress(
            self.ctxt, 'volume1', volume.uuid, timeout=5))

    def test_connection_info_names_the_file(self):
        volume = volume_fixtures.make_volume(self.ctxt)
        info = self.rpcapi.initialize_connection(self.ctxt, volume, {})
        self.assertEqual('file', info['driver_volume_type'])
        self.assertEqual(self.path_of(volume), info['data']['path'])
