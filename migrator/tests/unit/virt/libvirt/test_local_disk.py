"""Local root disks as volumes of a libvirt dir pool, and the driver's use
of them (spawn, destroy, block migration), on libvirt's test driver.

Each test opens its own test driver (``test:///<file>`` is a fresh host
per connection), so pools and volumes of one test never meet another's.
"""
import os
from unittest import mock
import uuid

import fixtures
import testtools

from migrator import exception
from migrator.tests.unit.virt.libvirt import fixtures as lv_fixtures
from migrator.tests.unit.virt.libvirt import test_libvirt_test_driver
from migrator.virt.libvirt import driver as libvirt_driver
from migrator.virt.libvirt import local_disk

GIB = 1024 ** 3


class _TestHost(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.libvirt = test_libvirt_test_driver.real_libvirt(self)
        self.useFixture(fixtures.MonkeyPatch(
            'migrator.virt.libvirt.host.libvirt', None))
        self.tmp = self.useFixture(fixtures.TempDir()).path
        node = os.path.join(self.tmp, 'node.xml')
        with open(node, 'w') as f:
            f.write('<node/>')
        self.uri = 'test://%s' % node
        self.disk_dir = os.path.join(self.tmp, 'disks')
        self.guest = {'uuid': str(uuid.uuid4()), 'name': 'g', 'vcpus': 1,
                      'memory_mb': 64, 'root_gb': 1, 'ephemeral_gb': 0,
                      'extra_specs': {}, 'metadata': {}}


class LocalDiskTestCase(_TestHost):

    def setUp(self):
        super().setUp()
        self.conn = self.libvirt.open(self.uri)
        self.addCleanup(self.conn.close)

    def test_wants_disk(self):
        self.assertTrue(local_disk.wants_disk(self.guest, '/d'))
        self.assertFalse(local_disk.wants_disk(self.guest, None))
        self.assertFalse(local_disk.wants_disk(dict(self.guest, root_gb=0),
                                               '/d'))

    def test_create_find_delete(self):
        self.assertIsNone(local_disk.capacity(self.conn, self.disk_dir,
                                              self.guest))
        path = local_disk.create(self.conn, self.disk_dir, self.guest)
        self.assertEqual(os.path.join(self.disk_dir,
                                      '%s.disk' % self.guest['uuid']), path)
        self.assertEqual(GIB, local_disk.capacity(self.conn, self.disk_dir,
                                                  self.guest))
        pool = self.conn.storagePoolLookupByName(local_disk.POOL)
        self.assertTrue(pool.isActive())
        local_disk.delete(self.conn, self.disk_dir, self.guest)
        self.assertIsNone(local_disk.find(self.conn, self.disk_dir,
                                          self.guest))
        local_disk.delete(self.conn, self.disk_dir, self.guest)  # no error

    def test_create_with_a_size_and_again(self):
        local_disk.create(self.conn, self.disk_dir, self.guest,
                          size=3 * GIB)
        # A retried preparation keeps the volume there is.
        local_disk.create(self.conn, self.disk_dir, self.guest)
        self.assertEqual(3 * GIB, local_disk.capacity(
            self.conn, self.disk_dir, self.guest))

    def test_upload_sends_all_of_the_image(self):
        image = os.path.join(self.tmp, 'image')
        with open(image, 'wb') as f:
            f.write(b'x' * 3000)
        stream = mock.Mock()
        stream.send.side_effect = lambda data: min(len(data), 1000)
        conn = mock.Mock(**{'newStream.return_value': stream})
        vol = mock.Mock()
        local_disk._upload(conn, vol, image)
        vol.upload.assert_called_once_with(stream, 0, 3000, 0)
        self.assertEqual(3, stream.send.call_count)
        stream.finish.assert_called_once_with()

    def test_upload_failure_aborts_the_stream(self):
        image = os.path.join(self.tmp, 'image')
        with open(image, 'wb') as f:
            f.write(b'x')
        stream = mock.Mock(**{'send.side_effect': RuntimeError('gone')})
        conn = mock.Mock(**{'newStream.return_value': stream})
        self.assertRaises(RuntimeError, local_disk._upload, conn,
                          mock.Mock(), image)
        stream.abort.assert_called_once_with()


class DriverLocalDiskTestCase(_TestHost):

    def setUp(self):
        super().setUp()
        self.conf = lv_fixtures.make_conf(
            self, connection_uri=self.uri, virt_type='test',
            instances_path='/', local_disk_dir=self.disk_dir)
        self.driver = libvirt_driver.LibvirtDriver(self.conf)
        self.addCleanup(self.driver.cleanup_host)
        self.driver.init_host('testhost')
        self.conn = self.driver.host.get_connection()

    def _capacity(self):
        return local_disk.capacity(self.conn, self.disk_dir, self.guest)

    def test_spawn_boots_from_the_local_disk_destroy_deletes_it(self):
        self.driver.spawn(self.guest)
        self.assertEqual(GIB, self._capacity())
        xml = self.conn.lookupByUUIDString(self.guest['uuid']).XMLDesc(0)
        self.assertIn('%s.disk' % self.guest['uuid'], xml)
        self.driver.destroy(self.guest)
        self.assertIsNone(self._capacity())

    def test_guest_that_does_not_start_leaves_no_disk(self):
        dom = mock.Mock(**{'create.side_effect':
                           self.libvirt.libvirtError('no start')})
        with mock.patch.object(self.conn, 'defineXML', return_value=dom):
            self.assertRaises(self.libvirt.libvirtError, self.driver.spawn,
                              self.guest)
        dom.undefine.assert_called_once_with()
        self.assertIsNone(self._capacity())

    def test_no_root_disk_no_local_disk(self):
        guest = dict(self.guest, root_gb=0)
        self.driver.spawn(guest)
        self.addCleanup(self.driver.destroy, guest)
        self.assertIsNone(local_disk.capacity(self.conn, self.disk_dir,
                                              guest))

    def _dest_check(self, guest, block_migration):
        source = self.driver.get_available_resource()
        return self.driver.check_can_live_migrate_destination(
            guest, source, block_migration)

    def test_auto_block_migration_for_a_local_disk(self):
        self.assertTrue(self._dest_check(self.guest, None)[
            'block_migration'])
        self.assertFalse(self._dest_check(dict(self.guest, root_gb=0),
                                          None)['block_migration'])

    def test_local_disk_refuses_a_migration_without_block_migration(self):
        self.assertRaises(exception.MigrationPreCheckError,
                          self._dest_check, self.guest, False)

    def test_source_check_tells_the_disk_size(self):
        local_disk.create(self.conn, self.disk_dir, self.guest,
                          size=2 * GIB)
        data = self.driver.check_can_live_migrate_source(
            self.guest, {'block_migration': True})
        self.assertEqual(2 * GIB, data['local_disk_bytes'])

    def test_destination_prepares_an_empty_disk_of_that_size(self):
        self.driver.pre_live_migration(
            self.guest, {'block_migration': True,
                         'local_disk_bytes': 2 * GIB})
        self.assertEqual(2 * GIB, self._capacity())

    def test_no_disk_prepared_without_block_migration(self):
        self.driver.pre_live_migration(self.guest,
                                       {'block_migration': False})
        self.assertIsNone(self._capacity())
