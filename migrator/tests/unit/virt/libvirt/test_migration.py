import queue
from unittest import mock

import testtools

from migrator import exception
from migrator.tests.unit.virt import fakes
from migrator.tests.unit.virt.libvirt import fakelibvirt
from migrator.tests.unit.virt.libvirt import fixtures as lv_fixtures
from migrator.virt import driver
from migrator.virt.libvirt import host as libvirt_host
from migrator.virt.libvirt import migration
from migrator.virt import migration_monitor

UUID = '6b1c2a43-0d1e-4a8f-9b33-1234567890ab'
BASE = (fakelibvirt.VIR_MIGRATE_LIVE | fakelibvirt.VIR_MIGRATE_PEER2PEER |
        fakelibvirt.VIR_MIGRATE_UNDEFINE_SOURCE |
        fakelibvirt.VIR_MIGRATE_PERSIST_DEST)


class MigrationFlagsTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(lv_fixtures.FakeLibvirt())

    def test_base_flags(self):
        self.assertEqual(BASE, migration.migration_flags({}))

    def test_block_migration_adds_non_shared_inc(self):
        self.assertEqual(
            BASE | fakelibvirt.VIR_MIGRATE_NON_SHARED_INC,
            migration.migration_flags({'block_migration': True}))

    def test_post_copy(self):
        self.assertEqual(
            BASE | fakelibvirt.VIR_MIGRATE_POSTCOPY,
            migration.migration_flags({'permit_post_copy': True}))

    def test_auto_converge_alone(self):
        self.assertEqual(
            BASE | fakelibvirt.VIR_MIGRATE_AUTO_CONVERGE,
            migration.migration_flags({'permit_auto_converge': True}))

    def test_post_copy_wins_over_auto_converge(self):
        self.assertEqual(
            BASE | fakelibvirt.VIR_MIGRATE_POSTCOPY,
            migration.migration_flags({'permit_post_copy': True,
                                       'permit_auto_converge': True}))

    def test_params_with_address_and_bandwidth(self):
        self.assertEqual(
            {'migrate_uri': 'tcp://10.77.0.2', 'bandwidth': 50},
            migration.migration_params({'bandwidth_mib': 50}, '10.77.0.2',
                                       'tcp://%s'))

    def test_params_without_address_or_cap(self):
        self.assertEqual({}, migration.migration_params(
            {'bandwidth_mib': 0}, None, 'tcp://%s'))


class LibvirtMigrationJobTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.lv = self.useFixture(lv_fixtures.FakeLibvirt())
        self.state = self.lv.source.add_domain(UUID)
        self.control_host = libvirt_host.Host(lv_fixtures.SOURCE_URI)
        self.addCleanup(self.control_host.close)

    def _start(self, flags=BASE):
        job = migration.LibvirtMigrationJob(
            self.control_host, UUID, lv_fixtures.DEST_URI,
            {'bandwidth': 50}, flags)
        job.start()
        self.addCleanup(job.wait, 5)
        self.addCleanup(self._release)
        self.assertTrue(self.state.pending_migration().started.wait(5))
        return job

    def _release(self):
        pending = self.state.migration
        if pending is not None and not pending.released.is_set():
            pending.finish(None)

    def test_migrates_on_its_own_connection(self):
        job = self._start()
        self.state.finish_migration()
        self.assertTrue(job.wait(5))
        self.assertIsNone(job.error())
        (conn_id, _m, args), = self.lv.source.calls_to('migrateToURI3')
        self.assertEqual((UUID, lv_fixtures.DEST_URI, {'bandwidth': 50},
                          BASE), args)
        control = self.control_host.get_connection()
        self.assertNotEqual(control.id, conn_id)
        migrating_conn = [c for c in self.lv.source.connections
                          if c.id == conn_id][0]
        self.assertTrue(migrating_conn.closed)
        self.assertIn(UUID, self.lv.dest.domains)
        self.assertNotIn(UUID, self.lv.source.domains)

    def test_stats_and_controls_while_migrating(self):
        # fakelibvirt raises if any of these reach the migrating
        # connection, as real libvirt would hang.
        job = self._start(BASE | fakelibvirt.VIR_MIGRATE_POSTCOPY)
        self.state.job_stats_script = [{'type': 2, 'memory_total': 10,
                                        'memory_processed': 3}]
        self.assertEqual(driver.JOB_UNBOUNDED, job.get_job_stats()['type'])
        job.set_max_downtime(2000)
        job.set_max_speed(0)
        job.start_postcopy()
        job.pause_guest()
        self.assertEqual(fakelibvirt.VIR_DOMAIN_PAUSED, self.state.state)
        job.resume_guest()
        self.assertEqual(fakelibvirt.VIR_DOMAIN_RUNNING, self.state.state)
        self.assertEqual(2000, self.state.max_downtime)
        self.assertEqual(0, self.state.max_speed)
        self.assertTrue(job.guest_active_on_source())
        self.assertFalse(job.is_finished())
        control_id = self.control_host.get_connection().id
        for method in ('jobStats', 'migrateSetMaxDowntime',
                       'migrateSetMaxSpeed', 'migrateStartPostCopy',
                       'suspend', 'resume'):
            self.assertEqual([control_id],
                             [c[0] for c in self.lv.source.calls_to(method)],
                             method)

    def test_completed_once_the_domain_left(self):
        job = self._start()
        self.state.finish_migration()
        job.wait(5)
        self.assertTrue(job.is_finished())
        self.assertEqual({'type': driver.JOB_COMPLETED}, job.get_job_stats())
        self.assertFalse(job.guest_active_on_source())

    def test_abort(self):
        job = self._start()
        job.abort()
        self.assertTrue(job.wait(5))
        self.assertIsInstance(job.error(), exception.LiveMigrationAborted)
        self.assertIsInstance(job.error().__cause__,
                              fakelibvirt.libvirtError)
        self.assertIn(UUID, self.lv.source.domains)
        self.assertNotIn(UUID, self.lv.dest.domains)
        self.assertTrue(job.guest_active_on_source())
        self.assertEqual(driver.JOB_CANCELLED, job.get_job_stats()['type'])

    def test_any_error_after_an_abort_is_the_abort(self):
        # Real QEMU may end an aborted migration with another error.
        job = self._start()
        with mock.patch.object(fakelibvirt.virDomain, 'abortJob',
                               return_value=0):
            job.abort()
        self.state.fail_migration(fakelibvirt.libvirtError(
            'Unable to write to monitor: Broken pipe'))
        self.assertTrue(job.wait(5))
        self.assertIsInstance(job.error(), exception.LiveMigrationAborted)
        self.assertEqual(driver.JOB_CANCELLED, job.get_job_stats()['type'])

    def test_a_job_libvirt_calls_failed_after_an_abort_is_cancelled(self):
        job = self._start()
        with mock.patch.object(fakelibvirt.virDomain, 'abortJob',
                               return_value=0):
            job.abort()
        self.state.job_stats_script = [{'type': driver.JOB_FAILED}]
        self.assertEqual(driver.JOB_CANCELLED, job.get_job_stats()['type'])

    def test_failure_is_reported_as_migration_error(self):
        job = self._start()
        self.state.fail_migration(fakelibvirt.libvirtError(
            'Attempt to migrate guest to the same host'))
        job.wait(5)
        self.assertIsInstance(job.error(), exception.MigrationError)
        self.assertIn('same host', str(job.error()))
        self.assertEqual(driver.JOB_FAILED, job.get_job_stats()['type'])

    def test_stats_while_running_keep_libvirt_type(self):
        job = self._start()
        self.assertEqual(driver.JOB_UNBOUNDED, job.get_job_stats()['type'])
        self.state.job_stats_script = [{'type': 0}]
        # Not finished yet: NONE stays NONE (the monitor waits).
        self.assertEqual(driver.JOB_NONE, job.get_job_stats()['type'])

    def test_control_errors_are_migration_errors(self):
        job = self._start()
        self.state.finish_migration()
        job.wait(5)
        e = self.assertRaises(exception.MigrationError, job.abort)
        self.assertIsInstance(e.__cause__, fakelibvirt.libvirtError)
        self.assertRaises(exception.MigrationError, job.set_max_downtime, 1)

    def test_stats_errors_are_migration_errors(self):
        job = self._start()
        self.state.job_stats_script = [fakelibvirt.libvirtError('EPIPE')]
        self.assertRaises(exception.MigrationError, job.get_job_stats)

    def test_postcopy_needs_the_flag(self):
        job = self._start()
        self.assertRaises(exception.MigrationError, job.start_postcopy)

    def test_unreachable_destination(self):
        job = migration.LibvirtMigrationJob(
            self.control_host, UUID, 'qemu+tcp://nowhere/system', {}, BASE)
        job.start()
        self.assertTrue(job.wait(5))
        self.assertIsInstance(job.error(), exception.MigrationError)
        self.assertIn('unable to connect', str(job.error()))


class RuntimeControlsTestCase(testtools.TestCase):
    """The 2.107 runtime controls, queued to the monitor as the compute
    manager does, reach libvirt on the control connection."""

    def setUp(self):
        super().setUp()
        self.lv = self.useFixture(lv_fixtures.FakeLibvirt())
        self.state = self.lv.source.add_domain(UUID)
        self.control_host = libvirt_host.Host(lv_fixtures.SOURCE_URI)
        self.addCleanup(self.control_host.close)

    _start = LibvirtMigrationJobTestCase._start
    _release = LibvirtMigrationJobTestCase._release

    def _monitor(self, job, **conf):
        commands = queue.Queue()
        saved = []
        monitor = migration_monitor.LiveMigrationMonitor(
            job, fakes.make_conf(dict(conf, stall_timeout=0))
            .live_migration, 2.0, commands, saved.append,
            lambda status: saved.append(status), instance_uuid=UUID)
        monitor._start = 0.0
        return monitor, commands, saved

    def test_set_max_downtime_and_speed(self):
        job = self._start()
        self.state.job_stats_script = [{'type': 2, 'memory_total': 10,
                                        'memory_processed': 3}]
        monitor, commands, saved = self._monitor(job)
        commands.put((migration_monitor.SET_MAX_DOWNTIME, 1234))
        commands.put((migration_monitor.SET_MAX_SPEED, 77))
        self.assertIsNone(monitor._sample(1.0, 1.0))
        self.assertEqual([(1234, 0)], [
            c[2][1:]
            for c in self.lv.source.calls_to('migrateSetMaxDowntime')])
        self.assertEqual([(77, 0)], [
            c[2][1:] for c in self.lv.source.calls_to('migrateSetMaxSpeed')])
        self.assertEqual((1234, 77), (self.state.max_downtime,
                                      self.state.max_speed))
        self.assertEqual((1234, 77, False),
                         (saved[-1]['max_downtime_ms'],
                          saved[-1]['bandwidth_mib_per_s'],
                          saved[-1]['post_copy_permitted']))

    def test_switch_to_post_copy(self):
        job = self._start(BASE | fakelibvirt.VIR_MIGRATE_POSTCOPY)
        self.state.job_stats_script = [{'type': 2, 'memory_total': 10,
                                        'memory_processed': 3}]
        monitor, commands, saved = self._monitor(job, permit_post_copy=True)
        commands.put(migration_monitor.SWITCH_TO_POST_COPY)
        self.assertIsNone(monitor._sample(1.0, 1.0))
        self.assertEqual([(0,)], [
            c[2][1:] for c in self.lv.source.calls_to('migrateStartPostCopy')])
        self.assertIn(migration_monitor.STATUS_POSTCOPY, saved)

    def test_switch_to_post_copy_not_permitted_calls_nothing(self):
        job = self._start()
        self.state.job_stats_script = [{'type': 2, 'memory_total': 10,
                                        'memory_processed': 3}]
        monitor, commands, saved = self._monitor(job)
        commands.put(migration_monitor.SWITCH_TO_POST_COPY)
        self.assertIsNone(monitor._sample(1.0, 1.0))
        self.assertEqual([], self.lv.source.calls_to('migrateStartPostCopy'))
        self.assertEqual([], self.lv.source.calls_to('suspend'))
