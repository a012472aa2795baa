"""The fake driver: one simulated host per instance, no shared state."""
import json
import time

import testtools

from migrator import exception
from migrator.tests.unit.virt import fakes
from migrator.virt import driver
from migrator.virt.fake import driver as fake_driver


def make_host(name, conf=None, **fake_opts):
    host = fake_driver.FakeDriver(conf or fakes.make_conf(fake=fake_opts))
    host.init_host(name)
    return host


class TestInventory(testtools.TestCase):

    def test_resources_from_options(self):
        host = make_host('h1', vcpus=8, memory_mb=16384, local_gb=100)
        host.spawn(fakes.make_guest(memory_mb=2048, root_gb=20))
        res = host.get_available_resource()
        self.assertEqual('h1', res['hypervisor_hostname'])
        self.assertEqual('QEMU', res['hypervisor_type'])
        self.assertEqual((8, 16384, 100), (res['vcpus'], res['memory_mb'],
                                           res['local_gb']))
        self.assertEqual((1, 2048, 20), (res['vcpus_used'],
                                         res['memory_mb_used'],
                                         res['local_gb_used']))
        cpu = json.loads(res['cpu_info'])
        for key in ('arch', 'model', 'vendor', 'features'):
            self.assertIn(key, cpu)

    def test_guest_lifecycle(self):
        host = make_host('h1')
        guest = fakes.make_guest()
        host.spawn(guest)
        self.assertEqual([guest['uuid']], host.list_instance_uuids())
        self.assertEqual(driver.RUNNING, host.get_power_state(guest))
        host.destroy(guest)
        host.destroy(guest)     # no error when absent
        self.assertEqual([], host.list_instance_uuids())
        self.assertRaises(exception.InstanceNotFound, host.get_power_state,
                          guest)

    def test_hosts_do_not_share_guests(self):
        conf = fakes.make_conf()
        one, two = make_host('one', conf), make_host('two', conf)
        one.spawn(fakes.make_guest())
        self.assertEqual([], two.list_instance_uuids())


class TestPreChecks(testtools.TestCase):

    def test_compatible_destination(self):
        src, dst = make_host('src'), make_host('dst')
        data = dst.check_can_live_migrate_destination(
            fakes.make_guest(), src.get_available_resource(), False)
        self.assertEqual('dst', data['dest_host'])

    def test_other_hypervisor_type_refused(self):
        src = make_host('src', hypervisor_type='Xen')
        dst = make_host('dst')
        self.assertRaises(exception.InvalidHypervisorType,
                          dst.check_can_live_migrate_destination,
                          fakes.make_guest(), src.get_available_resource(),
                          False)

    def test_older_hypervisor_refused(self):
        src = make_host('src', hypervisor_version=9000000)
        dst = make_host('dst')
        self.assertRaises(exception.DestinationHypervisorTooOld,
                          dst.check_can_live_migrate_destination,
                          fakes.make_guest(), src.get_available_resource(),
                          False)

    def test_missing_cpu_feature_refused(self):
        src = make_host('src', cpu_features=['avx512f', 'sse4.2'])
        dst = make_host('dst', cpu_features=['sse4.2'])
        e = self.assertRaises(exception.InvalidCPUInfo,
                              dst.check_can_live_migrate_destination,
                              fakes.make_guest(),
                              src.get_available_resource(), False)
        self.assertIn('avx512f', str(e))

    def test_lack_of_memory_refused(self):
        src, dst = make_host('src'), make_host('dst', memory_mb=1024)
        self.assertRaises(exception.InsufficientResources,
                          dst.check_can_live_migrate_destination,
                          fakes.make_guest(memory_mb=2048),
                          src.get_available_resource(), False)

    def test_incoming_guest_counts_on_the_destination(self):
        dst = make_host('dst')
        guest = fakes.make_guest(memory_mb=4096)
        dst.pre_live_migration(guest, {})
        self.assertEqual(4096,
                         dst.get_available_resource()['memory_mb_used'])
        dst.rollback_live_migration_at_destination(guest, {})
        self.assertEqual(0, dst.get_available_resource()['memory_mb_used'])


class TestMigrationSetup(testtools.TestCase):

    def test_knobs_metadata_over_extra_specs_over_options(self):
        host = make_host('h', guest_dirty_rate_mib=4.0)
        guest = fakes.make_guest(
            metadata={'sim_dirty_rate_mib': '50'},
            extra_specs={'sim:dirty_rate_mib': '20',
                         'sim:working_set_mib': '64',
                         'sim:fail_at_percent': '30'})
        setup = host.migration_setup(guest, {})
        self.assertEqual(50 * fakes.MIB, setup.dirty_rate_bps)
        self.assertEqual(64 * fakes.MIB, setup.working_set_bytes)
        self.assertEqual(30, setup.fail_at_percent)
        plain = host.migration_setup(fakes.make_guest(), {})
        self.assertEqual(4 * fakes.MIB, plain.dirty_rate_bps)
        self.assertEqual(256 * fakes.MIB, plain.working_set_bytes)
        self.assertIsNone(plain.fail_at_percent)

    def test_params(self):
        host = make_host('h', link_bandwidth_mib=1000)
        guest = fakes.make_guest(root_gb=20, ephemeral_gb=5)
        setup = host.migration_setup(guest, {
            'block_migration': True, 'bandwidth_mib': 100,
            'permit_post_copy': True, 'permit_auto_converge': True,
            'max_downtime_ms': 50})
        self.assertEqual(25 * fakes.GIB, setup.disk_bytes)
        self.assertEqual(100 * fakes.MIB, setup.speed_cap_bps)
        self.assertEqual(50, setup.max_downtime_ms)
        self.assertTrue(setup.permit_post_copy)
        # Auto-converge only without post-copy, as libvirt flags go.
        self.assertFalse(setup.permit_auto_converge)
        self.assertEqual(0, host.migration_setup(guest, {}).disk_bytes)


class TestLiveMigration(testtools.TestCase):

    def setUp(self):
        super().setUp()
        conf = fakes.make_conf()
        self.src, self.dst = make_host('src', conf), make_host('dst', conf)
        self.src.autostart_migrations = False
        self.guest = fakes.make_guest()
        self.src.spawn(self.guest)

    def _start(self, **params):
        self.dst.pre_live_migration(self.guest, {})
        return self.src.start_live_migration(self.guest, 'dst', {}, params)

    def _step_until_finished(self, job, limit=600):
        for _ in range(int(limit * 2)):
            if job.is_finished():
                return
            job.step(0.5)

    def test_completed_migration_moves_the_guest(self):
        job = self._start(max_downtime_ms=300)
        self.assertEqual(driver.JOB_UNBOUNDED, job.get_job_stats()['type'])
        self._step_until_finished(job)
        self.assertEqual(driver.JOB_COMPLETED, job.get_job_stats()['type'])
        self.assertIsNone(job.error())
        self.assertFalse(job.guest_active_on_source())
        # The source forgets it (UNDEFINE_SOURCE); the destination learns
        # of it only from the manager.
        self.assertEqual([], self.src.list_instance_uuids())
        self.assertEqual([], self.dst.list_instance_uuids())
        self.dst.post_live_migration_at_destination(self.guest, {})
        self.src.post_live_migration_at_source(self.guest)
        self.assertEqual([self.guest['uuid']], self.dst.list_instance_uuids())
        self.assertEqual(driver.RUNNING, self.dst.get_power_state(self.guest))

    def test_abort_keeps_the_guest_on_the_source(self):
        job = self._start()
        job.step(3)
        job.abort()
        self.assertTrue(job.is_finished())
        self.assertEqual(driver.JOB_CANCELLED, job.get_job_stats()['type'])
        self.assertIsInstance(job.error(), exception.LiveMigrationAborted)
        self.assertTrue(job.guest_active_on_source())
        self.assertEqual([self.guest['uuid']], self.src.list_instance_uuids())

    def test_failure_keeps_the_guest_on_the_source(self):
        self.src.destroy(self.guest)
        self.guest = fakes.make_guest(metadata={'sim_fail_at_percent': '50'})
        self.src.spawn(self.guest)
        job = self._start()
        self._step_until_finished(job)
        self.assertEqual(driver.JOB_FAILED, job.get_job_stats()['type'])
        self.assertIsInstance(job.error(), exception.MigrationError)
        self.assertTrue(job.guest_active_on_source())
        self.assertEqual(driver.RUNNING, self.src.get_power_state(self.guest))

    def test_pause_and_resume_show_in_power_state(self):
        job = self._start()
        job.pause_guest()
        self.assertEqual(driver.PAUSED, self.src.get_power_state(self.guest))
        job.resume_guest()
        self.assertEqual(driver.RUNNING,
                         self.src.get_power_state(self.guest))

    def test_one_migration_at_a_time(self):
        self._start()
        self.assertRaises(exception.MigrationError, self._start)
        self.assertRaises(exception.MigrationPreCheckError,
                          self.src.check_can_live_migrate_source,
                          self.guest, {})

    def test_postcopy_needs_permission(self):
        job = self._start(permit_post_copy=False)
        self.assertRaises(exception.MigrationError, job.start_postcopy)


class TestBackgroundThread(testtools.TestCase):

    def test_time_scale_runs_a_migration_in_the_background(self):
        conf = fakes.make_conf(fake={'time_scale': 2000.0})
        src = make_host('src', conf)
        self.addCleanup(src.cleanup_host)
        guest = fakes.make_guest()
        src.spawn(guest)
        job = src.start_live_migration(guest, 'dst', {},
                                       {'max_downtime_ms': 300})
        deadline = time.monotonic() + 10
        while not job.is_finished() and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertTrue(job.is_finished())
        self.assertEqual(driver.JOB_COMPLETED, job.get_job_stats()['type'])

    def test_rates_are_per_real_second(self):
        conf = fakes.make_conf(fake={'time_scale': 10.0})
        src = make_host('src', conf)
        src.autostart_migrations = False
        guest = fakes.make_guest(metadata={'sim_dirty_rate_mib': '8'})
        src.spawn(guest)
        job = src.start_live_migration(guest, 'dst', {}, {})
        job.step(1)
        stats = job.get_job_stats()
        self.assertEqual(1250 * fakes.MIB, stats['memory_bps'])
        self.assertEqual(80 * fakes.MIB // 4096, stats['memory_dirty_rate'])
