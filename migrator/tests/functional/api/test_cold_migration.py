"""Cold migration and resize through the REST API, on an in-process
control plane with two fake hosts that have file-backed PMEM namespaces:
every status the server and its Migration go through, the instance
actions and events, and the errors."""
import fixtures

from migrator.tests.functional.api import cold_migration_base as base


class TestColdMigrate(base.ColdMigrationTestBase):

    def test_migrate_confirm(self):
        inst = self.boot()
        old_ns = self.namespaces(inst.uuid)[0]
        status, _ = self.action(inst.uuid, {'migrate': {'host': 'compute2'}},
                                '2.56')
        self.assertEqual(202, status)
        self.wait_status(inst.uuid, 'VERIFY_RESIZE')
        mig = self.migration(inst.uuid)
        self.assertEqual(('migration', 'finished', 'compute1', 'compute2'),
                         (mig.migration_type, mig.status,
                          mig.source_compute, mig.dest_compute))
        moved = self.instance(inst.uuid)
        self.assertEqual('compute2', moved.host)
        self.assertEqual('resized', moved.vm_state)
        # Both sides hold a namespace until the move ends.
        self.assertEqual(1, len(self.namespaces(inst.uuid, 'compute1')))
        self.assertEqual(1, len(self.namespaces(inst.uuid, 'compute2')))
        status, _ = self.action(inst.uuid, {'confirmResize': None})
        self.assertEqual(204, status)
        self.wait_migration(inst.uuid, ['confirmed'])
        self.wait_status(inst.uuid, 'ACTIVE')
        self.assert_free('compute1')
        self.assert_zeroed(old_ns.devpath)
        self.assertEqual(['compute2'],
                         [ns.host for ns in self.namespaces(inst.uuid)])
        events = self.events(inst.uuid, 'migrate')
        self.assertEqual(
            {'conductor_migrate_server', 'compute_prep_resize',
             'compute_resize_instance', 'compute_finish_resize'},
            set(events))
        self.assertEqual({'Success'}, {r for r, _ in events.values()})
        self.assertEqual({'compute_confirm_resize'},
                         set(self.events(inst.uuid, 'confirmResize')))


class TestResizeWithCopy(base.ColdMigrationTestBase):

    def _resize_with_copy(self, inst, version='2.105', value=True):
        status, body = self.action(
            inst.uuid, {'resize': {'flavorRef': self.large.flavorid,
                                   'copy_pmem_devices': value}}, version)
        self.assertEqual(202, status, body)
        self.wait_status(inst.uuid, 'VERIFY_RESIZE')
        return self.migration(inst.uuid)

    def test_resize_copies_then_confirm_zeroes_the_source(self):
        inst = self.boot()
        data = self.write_data(inst.uuid)
        old = self.namespaces(inst.uuid)[0]
        mig = self._resize_with_copy(inst, value='true')
        self.assertEqual(('resize', 'finished'),
                         (mig.migration_type, mig.status))
        new = self.namespaces(inst.uuid, 'compute2')[0]
        self.assertEqual('8M', new.label)
        copied = self.read(new.devpath)
        # The old namespace's bytes, then the rest of the larger one zero.
        self.assertEqual(data, copied[:len(data)])
        self.assertEqual(b'\0' * (len(copied) - len(data)),
                         copied[len(data):])
        # Until confirmed the source keeps its data (for a revert).
        self.assertEqual(data, self.read(old.devpath))
        entry = [m for m in self.migrations_api()
                 if m['instance_uuid'] == inst.uuid][0]
        self.assertEqual((len(data), len(data), 0, None, None, None),
                         (entry['disk_total'], entry['disk_processed'],
                          entry['disk_remaining'], entry['memory_total'],
                          entry['memory_processed'],
                          entry['memory_remaining']))
        status, _ = self.action(inst.uuid, {'confirmResize': None})
        self.assertEqual(204, status)
        self.wait_migration(inst.uuid, ['confirmed'])
        self.wait_status(inst.uuid, 'ACTIVE')
        self.assert_zeroed(old.devpath)
        self.assert_free('compute1')
        self.assertEqual(data, self.read(new.devpath)[:len(data)])
        server = self.request('/servers/%s' % inst.uuid,
                              '2.47')[1]['server']
        self.assertEqual(self.large.name, server['flavor']['original_name'])

    def test_revert_brings_the_guest_back_with_its_data(self):
        inst = self.boot()
        data = self.write_data(inst.uuid)
        old = self.namespaces(inst.uuid)[0]
        self._resize_with_copy(inst)
        new = self.namespaces(inst.uuid, 'compute2')[0]
        status, _ = self.action(inst.uuid, {'revertResize': None})
        self.assertEqual(202, status)
        self.wait_migration(inst.uuid, ['reverted'])
        self.wait_status(inst.uuid, 'ACTIVE')
        back = self.instance(inst.uuid)
        self.assertEqual(('compute1', self.small.id, None),
                         (back.host, back.instance_type_id,
                          back.task_state))
        self.assertEqual(data, self.read(old.devpath))
        self.assert_zeroed(new.devpath)
        self.assert_free('compute2')
        self.assertIn(inst.uuid,
                      self.plane.computes['compute1'].driver
                      .list_instance_uuids())
        self.assertNotIn(inst.uuid,
                         self.plane.computes['compute2'].driver
                         .list_instance_uuids())
        self.assertEqual({'compute_revert_resize',
                          'compute_finish_revert_resize'},
                         set(self.events(inst.uuid, 'revertResize')))

    def test_without_copy_the_data_is_not_kept(self):
        # Nova's behaviour: a fresh namespace on the destination.
        inst = self.boot()
        self.write_data(inst.uuid)
        status, _ = self.action(inst.uuid, {'migrate': None}, '2.105')
        self.assertEqual(202, status)
        self.wait_status(inst.uuid, 'VERIFY_RESIZE')
        new = self.namespaces(inst.uuid, 'compute2')[0]
        self.assert_zeroed(new.devpath)
        self.assertIsNone(self.migration(inst.uuid).disk_total)

    def test_stopped_server_stays_stopped(self):
        inst = self.boot()
        inst.vm_state = 'stopped'
        inst.save()
        self._resize_with_copy(inst)
        moved = self.instance(inst.uuid)
        self.assertEqual(4, moved.power_state)
        self.action(inst.uuid, {'confirmResize': None})
        self.wait_status(inst.uuid, 'SHUTOFF')


class TestProgress(base.ColdMigrationTestBase):
    # 4 MiB at 2 MiB/s: about two seconds of copy to watch.
    extra_config = {'transfer': {'rate_limit': 2 * base.MIB}}

    def test_os_migrations_shows_the_copy_rising(self):
        inst = self.boot()
        self.write_data(inst.uuid)
        status, _ = self.action(
            inst.uuid, {'migrate': {'copy_pmem_devices': True}}, '2.105')
        self.assertEqual(202, status)
        seen = []

        def sample():
            entry = [m for m in self.migrations_api()
                     if m['instance_uuid'] == inst.uuid][0]
            if entry['disk_processed'] is not None:
                seen.append((entry['status'], entry['disk_processed'],
                             entry['disk_total']))
            return entry['status'] == 'finished'
        base.control_plane.wait_for(sample, timeout=30, interval=0.1,
                                    what='the copy to finish')
        processed = [p for _, p, _ in seen]
        self.assertEqual(sorted(processed), processed)
        self.assertTrue(any(0 < p < 4 * base.MIB for p in processed),
                        seen)
        self.assertIn('migrating', {s for s, _, _ in seen})
        self.assertEqual(4 * base.MIB, processed[-1])


class TestTransitions(base.ColdMigrationTestBase):
    """Every status a Migration and its server go through, in order."""

    def setUp(self):
        super().setUp()
        self.statuses = []
        real_save = base.MIGRATION.Migration.save
        test = self

        def recording_save(migration, expected_status=None):
            changed = 'status' in migration.obj_what_changed()
            written = real_save(migration, expected_status)
            if changed and written:
                test.statuses.append(migration.status)
            return written
        self.useFixture(fixtures.MockPatchObject(
            base.MIGRATION.Migration, 'save', recording_save))

    def test_confirm_and_revert_sequences(self):
        inst = self.boot()
        self.action(inst.uuid, {'resize': {'flavorRef': self.large.flavorid,
                                           'copy_pmem_devices': True}},
                    '2.105')
        self.wait_status(inst.uuid, 'VERIFY_RESIZE')
        self.action(inst.uuid, {'confirmResize': None})
        self.wait_migration(inst.uuid, ['confirmed'])
        # The Migration is confirmed first, then the server settles: move
        # it again only once it is ACTIVE (seen racing under load).
        self.wait_status(inst.uuid, 'ACTIVE')
        self.assertEqual(['migrating', 'post-migrating', 'finished',
                          'confirming', 'confirmed'], self.statuses)
        del self.statuses[:]
        self.assertEqual(202, self.action(inst.uuid, {'migrate': None})[0])
        self.wait_status(inst.uuid, 'VERIFY_RESIZE')
        self.assertEqual(202, self.action(inst.uuid,
                                          {'revertResize': None})[0])
        self.wait_status(inst.uuid, 'ACTIVE')
        self.assertEqual(['migrating', 'post-migrating', 'finished',
                          'reverting', 'reverted'], self.statuses)
        # Each move's Migration was created pre-migrating (by the API).
        self.assertEqual(2, len(self.migrations_api()))


class TestAutoConfirm(base.ColdMigrationTestBase):
    extra_config = {None: {'resize_confirm_window': 1},
                    'compute': {'resize_confirm_check_interval': 1}}

    def test_resize_confirmed_after_the_window(self):
        inst = self.boot()
        old = self.namespaces(inst.uuid)[0]
        self.write_data(inst.uuid)
        self.action(inst.uuid, {'migrate': {'copy_pmem_devices': True}},
                    '2.105')
        self.wait_migration(inst.uuid, ['confirmed'], timeout=30)
        self.wait_status(inst.uuid, 'ACTIVE')
        self.assert_zeroed(old.devpath)
        self.assertIn('compute_confirm_resize',
                      self.events(inst.uuid, 'confirmResize'))


class TestDeleteWhileResized(base.ColdMigrationTestBase):

    def test_delete_confirms_first_and_frees_both_sides(self):
        inst = self.boot()
        self.write_data(inst.uuid)
        old = self.namespaces(inst.uuid)[0]
        self.action(inst.uuid, {'migrate': {'copy_pmem_devices': True}},
                    '2.105')
        self.wait_status(inst.uuid, 'VERIFY_RESIZE')
        new = self.namespaces(inst.uuid, 'compute2')[0]
        status, _ = self.request('/servers/%s' % inst.uuid,
                                 method='DELETE')
        self.assertEqual(204, status)
        self.wait_migration(inst.uuid, ['confirmed'])
        base.control_plane.wait_for(
            lambda: not self.namespaces(inst.uuid),
            what='both hosts to free the namespaces')
        self.assert_zeroed(old.devpath)
        self.assert_zeroed(new.devpath)
