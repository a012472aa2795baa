"""Live migration through the conductor and computes (no REST layer):
the pre-checks, the transfer under the monitor, post-migration, rollback
and the operator controls, read back as a user would — through the
instance, its migration record and its instance action."""
import datetime

from oslo_utils import timeutils

from migrator import exception
from migrator.objects import compute_node as compute_node_obj
from migrator.objects import instance as instance_obj
from migrator.objects import instance_action
from migrator.rpcapi import compute as compute_rpcapi
from migrator.rpcapi import conductor as conductor_rpcapi
from migrator.tests import base
from migrator.tests.functional import control_plane

NON_CONVERGING = {'sim_dirty_rate_mib': '400', 'sim_working_set_mib': '512'}


class LiveMigrationTestBase(base.TestCase):
    hosts = ('compute1', 'compute2')

    def setUp(self):
        super().setUp()
        self.cp = self.useFixture(control_plane.ControlPlane(self.hosts))
        self.conductor = conductor_rpcapi.ConductorAPI()

    def start(self, inst, host=None, blocking=False):
        """What the API does: claim the task, record the action, then
        call (blocking) or cast (asynchronous) the conductor."""
        ctxt = self.cp.new_context()
        inst.task_state = instance_obj.MIGRATING
        inst.save(expected_task_state=[None])
        instance_action.InstanceAction.action_start(ctxt, inst.uuid,
                                                    'live-migration')
        if blocking:
            self.conductor.migrate_server(ctxt, inst, host)
        else:
            self.conductor.live_migrate_server(ctxt, inst, host)
        return ctxt

    def instance(self, uuid):
        return instance_obj.Instance.get_by_uuid(self.cp.admin, uuid)


class TestLiveMigrationSucceeds(LiveMigrationTestBase):

    def test_async_migration_moves_the_server_and_records_each_step(self):
        inst = self.cp.boot(host='compute1')
        ctxt = self.start(inst, host='compute2')
        mig = self.cp.wait_for_migration(inst.uuid)
        self.assertEqual('completed', mig.status)
        moved = self.cp.wait_for_task_cleared(inst.uuid)
        self.assertEqual('compute2', moved.host)
        self.assertEqual(instance_obj.ACTIVE, moved.vm_state)
        action, events = self.cp.events(ctxt, inst.uuid)
        self.assertIsNone(action.message)
        for name in ('conductor_live_migrate_server',
                     'compute_check_can_live_migrate_destination',
                     'compute_check_can_live_migrate_source',
                     'compute_pre_live_migration', 'compute_live_migration',
                     'compute_post_live_migration_at_destination'):
            self.assertEqual('Success', events[name][0], name)
        self.assertNotIn('compute_rollback_live_migration_at_destination',
                         events)

    def test_progress_is_saved_and_ends_complete(self):
        inst = self.cp.boot(host='compute1')
        self.start(inst, host='compute2')
        mig = self.cp.wait_for_migration(inst.uuid)
        self.assertEqual(2048 * 1024 * 1024, mig.memory_total)
        self.assertEqual(0, mig.memory_remaining)
        self.assertGreaterEqual(mig.memory_processed, mig.memory_total)
        self.assertEqual(0, mig.disk_total)  # not a block migration
        self.assertEqual(100, mig.progress_detail['percent'])
        phases = mig.progress_detail['phases']
        for phase in ('queued', 'preparing', 'running', 'completed'):
            self.assertIn(phase, phases)

    def test_resources_move_with_the_server(self):
        inst = self.cp.boot(host='compute1')
        self.start(inst, host='compute2')
        self.cp.wait_for_migration(inst.uuid)
        self.cp.wait_for_task_cleared(inst.uuid)
        ctxt = self.cp.admin
        source = compute_node_obj.ComputeNodeList.get_all_by_host(
            ctxt, 'compute1')[0]
        dest = compute_node_obj.ComputeNodeList.get_all_by_host(
            ctxt, 'compute2')[0]
        self.assertEqual(0, source.memory_mb_used)
        self.assertEqual(2048, dest.memory_mb_used)

    def test_progress_and_outcome_are_notified(self):
        self.cp.conf.config(migration_progress_interval=0.01,
                            group='notifications')
        inst = self.cp.boot(host='compute1')
        self.start(inst, host='compute2')
        self.cp.wait_for_migration(inst.uuid)
        progress = control_plane.wait_for(
            lambda: control_plane.notifications('migration.progress'),
            what='progress notifications')
        ends = control_plane.wait_for(
            lambda: control_plane.notifications('migration.end'),
            what='the end notification')
        self.assertEqual(inst.uuid, progress[0]['instance_uuid'])
        percents = [p['percent'] for p in progress if p['percent']]
        self.assertEqual(sorted(percents), percents)
        self.assertEqual(['completed'], [e['status'] for e in ends])

    def test_blocking_call_returns_once_checks_pass(self):
        inst = self.cp.boot(host='compute1')
        self.start(inst, host='compute2', blocking=True)
        self.assertEqual('completed',
                         self.cp.wait_for_migration(inst.uuid).status)

    def test_scheduler_picks_a_destination(self):
        inst = self.cp.boot(host='compute1')
        self.start(inst)
        self.assertEqual('completed',
                         self.cp.wait_for_migration(inst.uuid).status)
        self.assertEqual('compute2',
                         self.cp.wait_for_task_cleared(inst.uuid).host)


class TestPreChecks(LiveMigrationTestBase):
    hosts = ('compute1', 'compute2', 'compute3')

    def test_blocking_self_migration_raises_and_leaves_instance(self):
        inst = self.cp.boot(host='compute1')
        self.assertRaises(exception.UnableToMigrateToSelf, self.start,
                          inst, host='compute1', blocking=True)
        after = self.instance(inst.uuid)
        self.assertEqual(('compute1', instance_obj.ACTIVE, None),
                         (after.host, after.vm_state, after.task_state))
        self.assertEqual('error', self.cp.migration_of(inst.uuid).status)

    def test_async_failed_check_is_recorded_on_the_action(self):
        inst = self.cp.boot(host='compute1')
        ctxt = self.start(inst, host='compute1')
        self.cp.wait_for_migration(inst.uuid)
        self.cp.wait_for_task_cleared(inst.uuid)
        action, events = self.cp.events(ctxt, inst.uuid)
        self.assertEqual('Error', action.message)
        result, details = events['conductor_live_migrate_server']
        self.assertEqual('Error', result)
        self.assertIn('current host', details)
        self.assertEqual('error', self.cp.migration_of(inst.uuid).status)

    def test_disabled_destination_is_refused(self):
        from migrator.objects import service as service_obj
        svc = service_obj.Service.get_by_compute_host(self.cp.admin,
                                                      'compute2')
        svc.disabled = True
        svc.save()
        inst = self.cp.boot(host='compute1')
        self.assertRaises(exception.ComputeServiceUnavailable, self.start,
                          inst, host='compute2', blocking=True)

    def test_destination_without_room_is_refused(self):
        self.cp.boot('m1.xlarge', host='compute2')
        self.cp.boot('m1.xlarge', host='compute2')
        inst = self.cp.boot('m1.small', host='compute1')
        self.assertRaises(exception.InsufficientResources, self.start,
                          inst, host='compute2', blocking=True)

    def test_scheduler_tries_alternates_then_gives_up(self):
        for host in ('compute2', 'compute3'):
            self.cp.boot('m1.xlarge', host=host)
            self.cp.boot('m1.xlarge', host=host)
        inst = self.cp.boot('m1.small', host='compute1')
        self.assertRaises(exception.NoValidHost, self.start, inst,
                          blocking=True)
        self.assertEqual(instance_obj.ACTIVE,
                         self.instance(inst.uuid).vm_state)


class TestFailureAndControls(LiveMigrationTestBase):

    def test_failed_transfer_rolls_back_to_the_source(self):
        inst = self.cp.boot(host='compute1',
                            metadata={'sim_fail_at_percent': '30'})
        ctxt = self.start(inst, host='compute2')
        mig = self.cp.wait_for_migration(inst.uuid)
        self.assertEqual('failed', mig.status)
        after = self.cp.wait_for_task_cleared(inst.uuid)
        self.assertEqual(('compute1', instance_obj.ACTIVE),
                         (after.host, after.vm_state))
        _, events = self.cp.events(ctxt, inst.uuid)
        self.assertEqual('Error', events['compute_live_migration'][0])
        self.assertEqual(
            'Success',
            events['compute_rollback_live_migration_at_destination'][0])
        # The destination frees its claim by itself once the migration
        # has failed: nothing is left claimed there.
        control_plane.wait_for(
            lambda: compute_node_obj.ComputeNodeList.get_all_by_host(
                self.cp.admin, 'compute2')[0].memory_mb_used == 0,
            what='compute2 to release the claim')

    def test_abort_cancels_and_the_guest_stays(self):
        inst = self.cp.boot(host='compute1', metadata=NON_CONVERGING)
        self.start(inst, host='compute2')
        mig = self.cp.wait_for_migration(inst.uuid, statuses=('running',))
        compute_rpcapi.ComputeAPI().live_migration_abort(
            self.cp.new_context(), self.instance(inst.uuid), mig.id)
        self.assertEqual('cancelled',
                         self.cp.wait_for_migration(inst.uuid).status)
        after = self.cp.wait_for_task_cleared(inst.uuid)
        self.assertEqual(('compute1', instance_obj.ACTIVE),
                         (after.host, after.vm_state))
        self.assertIn(inst.uuid, self.cp.computes[
            'compute1'].driver.list_instance_uuids())

    def test_force_complete_finishes_a_migration_that_would_not(self):
        inst = self.cp.boot(host='compute1', metadata=NON_CONVERGING)
        self.start(inst, host='compute2')
        mig = self.cp.wait_for_migration(inst.uuid, statuses=('running',))
        compute_rpcapi.ComputeAPI().live_migration_force_complete(
            self.cp.new_context(), self.instance(inst.uuid), mig.id)
        self.assertEqual('completed',
                         self.cp.wait_for_migration(inst.uuid).status)
        self.assertEqual('compute2',
                         self.cp.wait_for_task_cleared(inst.uuid).host)

    def test_completion_timeout_aborts_a_migration_that_would_not(self):
        self.cp.conf.config(completion_timeout=1, group='live_migration')
        inst = self.cp.boot(host='compute1', metadata=NON_CONVERGING)
        self.start(inst, host='compute2')
        self.assertEqual('cancelled',
                         self.cp.wait_for_migration(inst.uuid,
                                                    timeout=30).status)
        self.assertEqual('compute1',
                         self.cp.wait_for_task_cleared(inst.uuid).host)

    def test_stall_detector_ends_a_stuck_migration(self):
        self.cp.conf.config(stall_timeout=2, stall_iterations=2,
                            completion_timeout=0, group='live_migration')
        inst = self.cp.boot(host='compute1', metadata=NON_CONVERGING)
        self.start(inst, host='compute2')
        mig = self.cp.wait_for_migration(inst.uuid, timeout=30)
        self.assertIn(mig.status, ('cancelled', 'failed'))
        self.assertEqual('compute1',
                         self.cp.wait_for_task_cleared(inst.uuid).host)


class TestRestart(LiveMigrationTestBase):

    def test_a_restarted_compute_brings_its_simulated_guests_back(self):
        from migrator.compute import manager as compute_manager
        inst = self.cp.boot(host='compute1')
        # A new manager is what a restarted migrator-compute builds: its
        # simulated hypervisor starts empty, the records say otherwise.
        restarted = compute_manager.ComputeManager('compute1')
        restarted.init_host()
        self.assertIn(inst.uuid, restarted.driver.list_instance_uuids())


class TestConcurrencyLimit(LiveMigrationTestBase):
    hosts = ('compute1', 'compute2')

    def test_second_migration_waits_queued_until_the_first_ends(self):
        first = self.cp.boot(host='compute1', metadata=NON_CONVERGING)
        second = self.cp.boot('m1.tiny', host='compute1')
        self.start(first, host='compute2')
        running = self.cp.wait_for_migration(first.uuid,
                                             statuses=('running',))
        self.start(second, host='compute2')
        queued = self.cp.wait_for_migration(second.uuid,
                                            statuses=('queued',))
        self.assertNotIn('running', queued.progress_detail['phases'])
        compute_rpcapi.ComputeAPI().live_migration_abort(
            self.cp.new_context(), self.instance(first.uuid), running.id)
        self.assertEqual('cancelled',
                         self.cp.wait_for_migration(first.uuid).status)
        self.assertEqual('completed',
                         self.cp.wait_for_migration(second.uuid).status)

    def test_a_queued_migration_can_be_aborted_before_it_starts(self):
        first = self.cp.boot(host='compute1', metadata=NON_CONVERGING)
        second = self.cp.boot('m1.tiny', host='compute1')
        self.start(first, host='compute2')
        running = self.cp.wait_for_migration(first.uuid,
                                             statuses=('running',))
        self.start(second, host='compute2')
        queued = self.cp.wait_for_migration(second.uuid,
                                            statuses=('queued',))
        api = compute_rpcapi.ComputeAPI()
        api.live_migration_abort(self.cp.new_context(),
                                 self.instance(second.uuid), queued.id)
        api.live_migration_abort(self.cp.new_context(),
                                 self.instance(first.uuid), running.id)
        ended = self.cp.wait_for_migration(second.uuid)
        self.assertEqual('cancelled', ended.status)
        self.assertNotIn('running', ended.progress_detail['phases'])
        self.assertEqual('compute1',
                         self.cp.wait_for_task_cleared(second.uuid).host)


class TestStaleMigrations(LiveMigrationTestBase):

    def _stranded(self):
        """A server left MIGRATING with an accepted migration, as a
        conductor that died mid-check leaves it."""
        from migrator.objects import migration as migration_obj
        inst = self.cp.boot(host='compute1')
        inst.task_state = instance_obj.MIGRATING
        inst.save(expected_task_state=[None])
        migration = migration_obj.Migration.create_live_migration(
            self.cp.admin, inst)
        return inst, migration

    def test_an_old_accepted_migration_is_expired_and_the_server_freed(self):
        inst, migration = self._stranded()
        conductor = self.cp.services[0].manager
        self.cp.conf.config(stale_migration_timeout=60, group='conductor')
        self.assertEqual(0, conductor.expire_stale_migrations(self.cp.admin))
        timeutils.set_time_override(timeutils.utcnow() +
                                    datetime.timedelta(seconds=120))
        self.addCleanup(timeutils.clear_time_override)
        self.assertEqual(1, conductor.expire_stale_migrations(self.cp.admin))
        migration.refresh()
        self.assertEqual('error', migration.status)
        self.assertIsNone(self.instance(inst.uuid).task_state)

    def test_a_late_hand_off_of_an_expired_migration_does_not_start(self):
        inst, migration = self._stranded()
        migration.status = 'error'
        migration.save()
        compute = self.cp.computes['compute1']
        # What the compute does when the conductor's cast finally arrives.
        compute.live_migration(self.cp.new_context(),
                               self.instance(inst.uuid), 'compute2',
                               migration, {})
        self.assertEqual([], compute.live_migrations.in_flight())
        migration.refresh()
        self.assertEqual('error', migration.status)
        self.assertEqual('compute1', self.instance(inst.uuid).host)
