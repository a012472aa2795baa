"""The driver against libvirt's own test driver (``test:///default``).

The test driver runs inside libvirt-python's process: real XML parsing,
real domain life cycle, but no migration or job API. These tests need the
real libvirt-python and fail, never skip, without it.
"""
import json
import uuid

import fixtures
import testtools

from migrator import exception
from migrator.tests.unit.virt.libvirt import fixtures as lv_fixtures
from migrator.virt import driver
from migrator.virt.libvirt import driver as libvirt_driver
from migrator.virt.libvirt import host as libvirt_host

INSTALL_HINT = (
    'these tests need the real libvirt-python: apt-get install -y '
    '--no-install-recommends libvirt-dev pkg-config libvirt-daemon, then '
    'pip install libvirt-python')


def real_libvirt(test):
    try:
        import libvirt
    except ImportError as e:
        test.fail('%s (%s)' % (INSTALL_HINT, e))
    return libvirt


class TestDriverTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.libvirt = real_libvirt(self)
        self.useFixture(fixtures.MonkeyPatch(
            'migrator.virt.libvirt.host.libvirt', None))
        self.conf = lv_fixtures.make_conf(
            self, connection_uri='test:///default', virt_type='test',
            instances_path='/')
        self.driver = libvirt_driver.LibvirtDriver(self.conf)
        self.addCleanup(self.driver.cleanup_host)
        self.driver.init_host('testhost')
        # test:///default is one shared host per process: own names only.
        self.guest = {'uuid': str(uuid.uuid4()), 'vcpus': 2,
                      'memory_mb': 256, 'root_gb': 0, 'ephemeral_gb': 0,
                      'extra_specs': {}, 'metadata': {}}
        self.guest['name'] = 'migrator-%s' % self.guest['uuid'][:8]
        self.addCleanup(self.driver.destroy, self.guest)

    def test_uses_the_real_module(self):
        self.assertIs(self.libvirt, libvirt_host.libvirt)

    def test_available_resource(self):
        res = self.driver.get_available_resource()
        self.assertEqual('TEST', res['hypervisor_type'])
        self.assertEqual(16, res['vcpus'])
        self.assertEqual(3072, res['memory_mb'])
        self.assertEqual('i686', json.loads(res['cpu_info'])['arch'])
        self.assertGreater(res['hypervisor_version'], 0)
        self.assertGreaterEqual(res['vcpus_used'], 0)

    def test_guest_life_cycle(self):
        self.driver.spawn(self.guest)
        self.assertIn(self.guest['uuid'], self.driver.list_instance_uuids())
        self.assertEqual(driver.RUNNING,
                         self.driver.get_power_state(self.guest))
        self.driver.destroy(self.guest)
        self.assertNotIn(self.guest['uuid'],
                         self.driver.list_instance_uuids())
        self.assertEqual(driver.NOSTATE,
                         self.driver.get_power_state(self.guest))
        self.driver.destroy(self.guest)  # absent: no error

    def test_resources_count_running_guests(self):
        before = self.driver.get_available_resource()
        self.driver.spawn(self.guest)
        after = self.driver.get_available_resource()
        self.assertEqual(before['vcpus_used'] + 2, after['vcpus_used'])
        self.assertEqual(before['memory_mb_used'] + 256,
                         after['memory_mb_used'])

    def test_destination_check_without_cpu_compare(self):
        # The test driver cannot compare CPUs; the check carries on.
        res = self.driver.get_available_resource()
        data = self.driver.check_can_live_migrate_destination(
            self.guest, res, False)
        self.assertEqual({'block_migration': False,
                          'target_connect_addr': None}, data)
        res['hypervisor_type'] = 'QEMU'
        self.assertRaises(exception.InvalidHypervisorType,
                          self.driver.check_can_live_migrate_destination,
                          self.guest, res, False)

    def test_migration_unsupported_is_reported(self):
        self.driver.spawn(self.guest)
        job = self.driver.start_live_migration(
            self.guest, 'h2', {}, {'max_downtime_ms': 500})
        self.assertTrue(job.wait(10))
        self.assertIsInstance(job.error(), exception.MigrationError)
        self.assertTrue(job.guest_active_on_source())
        # No job API either: the error surfaces rather than a made-up
        # job type.
        self.assertRaises(exception.MigrationError, job.get_job_stats)

    def test_pause_and_resume_guest(self):
        self.driver.spawn(self.guest)
        job = self.driver.start_live_migration(
            self.guest, 'h2', {}, {})
        job.wait(10)
        job.pause_guest()
        self.assertEqual(driver.PAUSED,
                         self.driver.get_power_state(self.guest))
        job.resume_guest()
        self.assertEqual(driver.RUNNING,
                         self.driver.get_power_state(self.guest))
