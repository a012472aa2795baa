"""Cold migration and resize through the REST API, on an in-process
control plane with two fake hosts that have file-backed PMEM namespaces:
every status the server and its Migration go through, the instance
actions and events, and the errors."""
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
