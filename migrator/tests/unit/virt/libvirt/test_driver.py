import json

import testtools

from migrator import exception
from migrator.tests.unit.virt.libvirt import fakelibvirt
from migrator.tests.unit.virt.libvirt import fixtures as lv_fixtures
from migrator.virt import driver
from migrator.virt.libvirt import driver as libvirt_driver

GUEST = {'uuid': '6b1c2a43-0d1e-4a8f-9b33-1234567890ab', 'name': 'vm1',
         'vcpus': 2, 'memory_mb': 512, 'root_gb': 1, 'ephemeral_gb': 0,
         'extra_specs': {}, 'metadata': {}}
UUID = GUEST['uuid']


class LibvirtDriverTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.lv = self.useFixture(lv_fixtures.FakeLibvirt())
        self.conf = lv_fixtures.make_conf(self)
        self.driver = libvirt_driver.LibvirtDriver(self.conf)
        self.addCleanup(self.driver.cleanup_host)

    def test_is_a_compute_driver(self):
        self.assertIsInstance(self.driver, driver.ComputeDriver)
        self.driver.init_host('src')

    def test_error_handler_registered(self):
        self.assertIsNotNone(fakelibvirt.error_handler)

    def test_available_resource(self):
        self.lv.source.add_domain(UUID, memory_mb=1024, vcpus=2)
        self.lv.source.add_domain('other', active=False)
        self.conf.set_override('instances_path', '/', group='libvirt')
        res = self.driver.get_available_resource()
        self.assertEqual('src', res['hypervisor_hostname'])
        self.assertEqual('QEMU', res['hypervisor_type'])
        self.assertEqual(7002000, res['hypervisor_version'])
        self.assertEqual(8, res['vcpus'])
        self.assertEqual(15872, res['memory_mb'])
        self.assertEqual(2, res['vcpus_used'])
        self.assertEqual(1024, res['memory_mb_used'])
        self.assertGreater(res['local_gb'], 0)
        cpu = json.loads(res['cpu_info'])
        self.assertEqual('x86_64', cpu['arch'])
        self.assertEqual('Skylake-Client-IBRS', cpu['model'])
        self.assertEqual({'sockets': 1, 'cores': 4, 'threads': 2},
                         cpu['topology'])
        self.assertEqual(['ssbd', 'vmx'], cpu['features'])

    def test_local_disk_of_missing_path_is_zero(self):
        self.conf.set_override('instances_path', '/nonexistent/x',
                               group='libvirt')
        res = self.driver.get_available_resource()
        self.assertEqual((0, 0), (res['local_gb'], res['local_gb_used']))

    def test_spawn_list_power_destroy(self):
        self.driver.spawn(GUEST)
        self.assertEqual([UUID], self.driver.list_instance_uuids())
        self.assertEqual(driver.RUNNING, self.driver.get_power_state(GUEST))
        state = self.lv.source.domains[UUID]
        self.assertTrue(state.persistent)
        self.assertEqual(('vm1', 512, 2),
                         (state.name, state.memory_mb, state.vcpus))
        self.driver.destroy(GUEST)
        self.assertEqual([], self.driver.list_instance_uuids())
        self.assertEqual(driver.NOSTATE, self.driver.get_power_state(GUEST))

    def test_spawn_uses_virt_type_and_boot_image(self):
        self.conf.set_override('virt_type', 'qemu', group='libvirt')
        self.conf.set_override('boot_image', '/srv/boot.img',
                               group='libvirt')
        self.driver.spawn(GUEST)
        (_c, _m, (xml,)), = self.lv.source.calls_to('defineXML')
        self.assertIn("<domain type=\"qemu\">", xml)
        self.assertIn('<source file="/srv/boot.img" />', xml)
        self.assertIn('<readonly />', xml)

    def test_destroy_absent_guest_is_fine(self):
        self.driver.destroy(GUEST)

    def test_destroy_tolerates_domain_vanishing(self):
        self.lv.source.add_domain(UUID, persistent=False)
        # Transient: destroy removes it; no undefine must follow.
        self.driver.destroy(GUEST)
        self.assertNotIn(UUID, self.lv.source.domains)
        self.assertEqual([], self.lv.source.calls_to('undefine'))

    def test_power_states(self):
        state = self.lv.source.add_domain(UUID)
        for lv_state, expected in (
                (fakelibvirt.VIR_DOMAIN_PAUSED, driver.PAUSED),
                (fakelibvirt.VIR_DOMAIN_SHUTOFF, driver.SHUTDOWN),
                (fakelibvirt.VIR_DOMAIN_CRASHED, driver.CRASHED),
                (fakelibvirt.VIR_DOMAIN_BLOCKED, driver.RUNNING)):
            state.state = lv_state
            self.assertEqual(expected, self.driver.get_power_state(GUEST))

    # -- destination checks ------------------------------------------------
    def _source_resources(self, **changes):
        res = self.driver.get_available_resource()
        res.update(changes)
        return res

    def test_destination_check_passes(self):
        self.conf.set_override('live_migration_inbound_addr', '10.77.0.2',
                               group='libvirt')
        data = self.driver.check_can_live_migrate_destination(
            GUEST, self._source_resources(), True)
        self.assertEqual({'block_migration': True,
                          'target_connect_addr': '10.77.0.2'}, data)
        (_c, _m, (xml, _flags)), = self.lv.source.calls_to('compareCPU')
        self.assertIn('<model>Skylake-Client-IBRS</model>', xml)
        self.assertIn('<feature name="vmx" />', xml)

    def test_destination_check_other_hypervisor(self):
        self.assertRaises(
            exception.InvalidHypervisorType,
            self.driver.check_can_live_migrate_destination, GUEST,
            self._source_resources(hypervisor_type='Xen'), False)

    def test_destination_check_older_hypervisor(self):
        self.assertRaises(
            exception.DestinationHypervisorTooOld,
            self.driver.check_can_live_migrate_destination, GUEST,
            self._source_resources(hypervisor_version=8000000), False)

    def test_destination_check_incompatible_cpu(self):
        self.lv.source.cpu_compare = fakelibvirt.VIR_CPU_COMPARE_INCOMPATIBLE
        self.assertRaises(
            exception.InvalidCPUInfo,
            self.driver.check_can_live_migrate_destination, GUEST,
            self._source_resources(), False)

    def test_destination_check_cpu_compare_error(self):
        self.lv.source.cpu_compare = fakelibvirt.libvirtError(
            'invalid CPU model', fakelibvirt.VIR_ERR_INTERNAL_ERROR)
        self.assertRaises(
            exception.InvalidCPUInfo,
            self.driver.check_can_live_migrate_destination, GUEST,
            self._source_resources(), False)

    def test_destination_check_without_cpu_compare_support(self):
        self.lv.source.cpu_compare = fakelibvirt.libvirtError(
            'not supported', fakelibvirt.VIR_ERR_NO_SUPPORT)
        self.driver.check_can_live_migrate_destination(
            GUEST, self._source_resources(), False)

    # -- live migration ----------------------------------------------------
    def _migrate(self, migrate_data, params, dest_host='dest'):
        state = self.lv.source.add_domain(UUID)
        state.finish_migration()
        job = self.driver.start_live_migration(GUEST, dest_host,
                                               migrate_data, params)
        self.assertTrue(job.wait(5))
        self.assertIsNone(job.error())
        (_c, _m, args), = self.lv.source.calls_to('migrateToURI3')
        return state, args

    def test_start_live_migration_uses_host_name(self):
        _state, (_uuid, uri, params, flags) = self._migrate(
            {}, {'block_migration': True, 'bandwidth_mib': 0})
        self.assertEqual(lv_fixtures.DEST_URI, uri)
        self.assertEqual({}, params)
        self.assertTrue(flags & fakelibvirt.VIR_MIGRATE_NON_SHARED_INC)
        self.assertIn(UUID, self.lv.dest.domains)

    def test_start_live_migration_uses_inbound_addr(self):
        fakelibvirt.add_host('qemu+tcp://10.77.0.2/system')
        state, (_uuid, uri, params, flags) = self._migrate(
            {'target_connect_addr': '10.77.0.2'},
            {'bandwidth_mib': 50, 'permit_post_copy': True,
             'permit_auto_converge': True, 'max_downtime_ms': 400})
        self.assertEqual('qemu+tcp://10.77.0.2/system', uri)
        self.assertEqual({'migrate_uri': 'tcp://10.77.0.2',
                          'bandwidth': 50}, params)
        self.assertTrue(flags & fakelibvirt.VIR_MIGRATE_POSTCOPY)
        self.assertFalse(flags & fakelibvirt.VIR_MIGRATE_AUTO_CONVERGE)
        self.assertEqual(400, state.max_downtime)

    def test_uri_template_is_configurable(self):
        self.conf.set_override('live_migration_uri', 'qemu+ssh://%s/system',
                               group='libvirt')
        fakelibvirt.add_host('qemu+ssh://dest/system')
        _state, (_uuid, uri, _p, _f) = self._migrate({}, {})
        self.assertEqual('qemu+ssh://dest/system', uri)

    def test_post_live_migration_at_source_forgets_guest(self):
        self._migrate({}, {})
        self.driver.post_live_migration_at_source(GUEST)
        self.assertEqual([], self.driver.list_instance_uuids())

    def test_post_live_migration_at_destination_persists(self):
        state = self.lv.source.add_domain(UUID, persistent=False)
        self.driver.post_live_migration_at_destination(GUEST, {})
        self.assertTrue(state.persistent)

    def test_rollback_at_destination_destroys_incoming(self):
        self.lv.source.add_domain(UUID, persistent=False)
        self.driver.rollback_live_migration_at_destination(GUEST, {})
        self.assertEqual([], self.driver.list_instance_uuids())


class OrphanedMigrationTestCase(testtools.TestCase):
    """init_host aborts outgoing migrations a dead compute left running
    in libvirtd."""

    def setUp(self):
        super().setUp()
        self.lv = self.useFixture(lv_fixtures.FakeLibvirt())
        self.driver = libvirt_driver.LibvirtDriver(
            lv_fixtures.make_conf(self))
        self.addCleanup(self.driver.cleanup_host)

    def _migrating(self, uuid, operation=5):
        state = self.lv.source.add_domain(uuid)
        migration = state.pending_migration()
        migration.started.set()
        stats = {'type': fakelibvirt.VIR_DOMAIN_JOB_UNBOUNDED,
                 'memory_processed': 1}
        if operation is not None:
            stats['operation'] = operation
        state.job_stats_script = [stats]
        return migration

    def test_outgoing_migration_aborted(self):
        migration = self._migrating(UUID)
        self.driver.init_host('src')
        self.assertTrue(migration.released.is_set())
        self.assertIn('canceled by client', str(migration.outcome))

    def test_without_operation_key_counts_as_outgoing(self):
        migration = self._migrating(UUID, operation=None)
        self.driver.init_host('src')
        self.assertTrue(migration.released.is_set())

    def test_other_jobs_and_idle_guests_left_alone(self):
        save = self._migrating(UUID, operation=2)  # a save to file
        self.lv.source.add_domain('idle')
        self.lv.source.add_domain('off', active=False)
        self.driver.init_host('src')
        self.assertFalse(save.released.is_set())
        self.assertEqual([], self.lv.source.calls_to('abortJob'))

    def test_abort_refused_is_logged_not_raised(self):
        self._migrating(UUID)
        self.lv.source.domains[UUID].migration.started.clear()
        self.driver.init_host('src')   # abortJob raises: logged
        self.assertEqual(1, len(self.lv.source.calls_to('abortJob')))
