"""A failure injected at each step of a cold migration with PMEM copies
(the copy, its checksum, finish_resize, confirm, revert, and the source
compute killed mid-copy) ends with the source's bytes intact, the
destination's namespaces zeroed and free, and the reason in the
instance action's event."""
import threading

import fixtures

from migrator.objects import migration as migration_obj
from migrator.tests.functional.api import cold_migration_base as base
from migrator.tests.functional import control_plane
from migrator.transfer import agent as transfer_agent
from migrator.transfer import local as transfer_local


class Killed(BaseException):
    """Ends a frozen copy thread the way a dead process ends: no
    clean-up of ours runs (BaseException passes every handler)."""


class FailureTestBase(base.ColdMigrationTestBase):

    def start(self, metadata=None, migrate=True):
        inst = self.boot(metadata=metadata)
        data = self.write_data(inst.uuid)
        body = ({'migrate': {'copy_pmem_devices': True}} if migrate else
                {'resize': {'flavorRef': self.large.flavorid,
                            'copy_pmem_devices': True}})
        status, answer = self.action(inst.uuid, body, '2.105')
        self.assertEqual(202, status, answer)
        return inst, data

    def assert_back_on_source(self, inst, data, event, reason):
        mig = self.wait_migration(inst.uuid, ['error'])
        self.wait_status(inst.uuid, 'ACTIVE')
        back = self.instance(inst.uuid)
        self.assertEqual(('compute1', None, self.small.id),
                         (back.host, back.task_state,
                          back.instance_type_id))
        self.assertEqual(1, self.plane.computes['compute1'].driver
                         .get_power_state({'uuid': inst.uuid}))
        old = self.namespaces(inst.uuid, 'compute1')
        self.assertEqual(1, len(old))
        self.assertEqual(data, self.read(old[0].devpath))
        control_plane.wait_for(
            lambda: not [ns for ns in self.host_namespaces('compute2')
                         if ns.instance_uuid],
            what='the destination namespaces to be freed')
        for ns in self.host_namespaces('compute2'):
            self.assert_zeroed(ns.devpath)
        self.assertNotIn(inst.uuid, self.plane.computes['compute2'].driver
                         .list_instance_uuids())
        action = 'migrate' if mig.migration_type == 'migration' else \
            'resize'
        result, details = self.events(inst.uuid, action)[event]
        self.assertEqual('Error', result)
        self.assertIn(reason, details)
        return mig


class TestCopyFailures(FailureTestBase):

    def test_write_fails_half_way(self):
        real_write = transfer_agent.FileSink.write
        written = {'n': 0}

        def failing_write(sink, view):
            written['n'] += len(view)
            if written['n'] > 2 * base.MIB:
                raise OSError(5, 'Input/output error (injected)')
            return real_write(sink, view)
        self.useFixture(fixtures.MockPatchObject(
            transfer_agent.FileSink, 'write', failing_write))
        inst, data = self.start()
        self.assert_back_on_source(inst, data, 'compute_resize_instance',
                                   'Input/output error (injected)')

    def test_checksum_differs(self):
        real_finish = transfer_local._FileWriter.finish

        def lying_finish(writer):
            real_finish(writer)
            return 'not-the-checksum'
        self.useFixture(fixtures.MockPatchObject(
            transfer_local._FileWriter, 'finish', lying_finish))
        inst, data = self.start(migrate=False)
        self.assert_back_on_source(inst, data, 'compute_resize_instance',
                                   'checksum')


class TestStepFailures(FailureTestBase):

    def test_finish_fails(self):
        inst, data = self.start(metadata={'sim_fail_resize_step': 'finish'})
        self.assert_back_on_source(inst, data, 'compute_finish_resize',
                                   'simulated failure of the finish step')

    def test_revert_fails_on_the_destination(self):
        inst, data = self.start(metadata={'sim_fail_resize_step': 'revert'})
        self.wait_status(inst.uuid, 'VERIFY_RESIZE')
        self.assertEqual(202, self.action(inst.uuid,
                                          {'revertResize': None})[0])
        mig = self.wait_migration(inst.uuid, ['error'])
        self.wait_status(inst.uuid, 'ACTIVE')
        back = self.instance(inst.uuid)
        self.assertEqual('compute1', back.host)
        self.assertEqual(data, self.read(
            self.namespaces(inst.uuid, 'compute1')[0].devpath))
        self.assert_free('compute2')
        for ns in self.host_namespaces('compute2'):
            self.assert_zeroed(ns.devpath)
        result, details = self.events(inst.uuid,
                                      'revertResize')['compute_revert_resize']
        self.assertEqual(('Error', True), (result, 'revert step' in details))
        self.assertEqual('migration', mig.migration_type)

    def test_confirm_fails_before_the_source_is_touched(self):
        inst, data = self.start(
            metadata={'sim_fail_resize_step': 'confirm'})
        self.wait_status(inst.uuid, 'VERIFY_RESIZE')
        old = self.namespaces(inst.uuid, 'compute1')[0]
        new = self.namespaces(inst.uuid, 'compute2')[0]
        self.assertEqual(204, self.action(inst.uuid,
                                          {'confirmResize': None})[0])
        self.wait_migration(inst.uuid, ['error'])
        self.wait_status(inst.uuid, 'ERROR')
        # Nothing lost: the source namespace still holds the data (it is
        # zeroed only once the old guest is gone), the guest and its copy
        # are on the destination.
        self.assertEqual(data, self.read(old.devpath))
        self.assertEqual(data, self.read(new.devpath)[:len(data)])
        result, details = self.events(
            inst.uuid, 'confirmResize')['compute_confirm_resize']
        self.assertEqual('Error', result)
        self.assertIn('confirm step', details)


class TestSourceKilledMidCopy(FailureTestBase):
    extra_config = {'transfer': {'rate_limit': 2 * base.MIB,
                                 'chunk_size': 256 * 1024}}

    def test_restarted_compute_ends_the_move(self):
        frozen = threading.Event()
        release = threading.Event()
        real_write = transfer_agent.FileSink.write
        written = {'n': 0}

        def freezing_write(sink, view):
            written['n'] += len(view)
            if written['n'] > base.MIB:
                # The process is gone: this thread never does anything
                # again until the test ends it.
                frozen.set()
                release.wait()
                raise Killed()
            return real_write(sink, view)
        self.useFixture(fixtures.MockPatchObject(
            transfer_agent.FileSink, 'write', freezing_write))
        self.addCleanup(release.set)
        inst, data = self.start()
        self.assertTrue(frozen.wait(30))
        mig = self.migration(inst.uuid)
        self.assertEqual('migrating', mig.status)
        self.assertGreater(mig.disk_processed or 0, 0)
        # A kill -9 gives the service no chance to record anything.
        old = self.plane.computes['compute1']
        self.useFixture(fixtures.MockPatchObject(old, 'record_interrupted',
                                                 lambda reason: None))
        self.plane.restart_compute('compute1')
        mig = self.assert_back_on_source(inst, data,
                                         'compute_resize_instance',
                                         'stopped during the move')
        self.assertEqual('error', mig.status)
        self.assertEqual(
            'error', migration_obj.Migration.get_by_uuid(
                self.plane.admin, mig.uuid).status)


class TestSourceStoppedMidCopy(FailureTestBase):
    # 4 MiB at 512 KiB/s: eight seconds of copy to stop the service in.
    extra_config = {'transfer': {'rate_limit': 512 * 1024},
                    'compute': {'resource_update_interval': 1}}

    def test_graceful_stop_cancels_the_copy(self):
        inst, data = self.start()
        control_plane.wait_for(
            lambda: (self.migration(inst.uuid).disk_processed or 0) > 0,
            what='the copy to start')
        # SIGTERM: the copy is cancelled once the grace period is over;
        # the source gives the guest back without waiting on its peer,
        # and the destination frees its claims by itself.
        svc = [s for s in self.plane.services if s.host == 'compute1'][0]
        svc.stop(1)
        mig = self.wait_migration(inst.uuid, ['error'])
        # The Migration ends first, the server settles right after.
        self.wait_status(inst.uuid, 'ACTIVE')
        back = self.instance(inst.uuid)
        self.assertEqual(('compute1', 'active', None),
                         (back.host, back.vm_state, back.task_state))
        self.assertEqual(data, self.read(
            self.namespaces(inst.uuid, 'compute1')[0].devpath))
        control_plane.wait_for(
            lambda: not [ns for ns in self.host_namespaces('compute2')
                         if ns.instance_uuid],
            what='the destination to free its claims')
        for ns in self.host_namespaces('compute2'):
            self.assert_zeroed(ns.devpath)
        result, details = self.events(inst.uuid, 'migrate')[
            'compute_resize_instance']
        self.assertEqual('Error', result)
        self.assertIn('cancelled', details)
        self.assertEqual('migration', mig.migration_type)
