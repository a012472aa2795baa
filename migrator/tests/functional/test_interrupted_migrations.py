"""Migrations cut short by a restart, an expiry or a stop: each ends with
its instance action closed, its destination claim freed at once, and its
server released; a queued one is cancelled at once when aborted."""
import datetime
from unittest import mock

import fixtures
import oslo_messaging as messaging
from oslo_utils import timeutils

from migrator.compute import manager as compute_manager
from migrator.conductor import stale_migrations
from migrator import exception
from migrator import interrupted
from migrator.objects import compute_node as compute_node_obj
from migrator.objects import instance as instance_obj
from migrator.objects import instance_action
from migrator.objects import instance_fault
from migrator.objects import migration as migration_obj
from migrator.rpcapi import compute as compute_rpcapi
from migrator.tests.functional import control_plane
from migrator.tests.functional import test_live_migration_backend as lm

NON_CONVERGING = lm.NON_CONVERGING


class TestInterrupted(lm.LiveMigrationTestBase):

    def _stranded(self, status, dest=None, event=None):
        """A server MIGRATING with a migration in ``status`` and an open
        ``event`` of its action, as a dead service leaves them."""
        ctxt, inst, migration = self.cp.claimed_for_live_migration()
        if dest:
            migration.dest_compute = dest
            migration.dest_node = dest
        migration.status = status
        migration.save()
        if event:
            instance_action.InstanceActionEvent.event_start(
                ctxt, inst.uuid, event, host='compute1')
        return ctxt, inst, migration

    def assert_action_closed(self, ctxt, inst, event):
        action, events = self.cp.events(ctxt, inst.uuid)
        self.assertEqual('Error', action.message)
        self.assertEqual('Error', events[event][0])
        self.assertTrue(events[event][1])
        for ev in instance_action.InstanceActionEventList.get_by_action(
                ctxt, action.id):
            self.assertIsNotNone(ev.finish_time, ev.event)

    def memory_used(self, host):
        return compute_node_obj.ComputeNodeList.get_all_by_host(
            self.cp.admin, host)[0].memory_mb_used

    def test_restarted_source_closes_action_and_frees_destination(self):
        ctxt, inst, migration = self._stranded(
            'running', dest='compute2', event='compute_live_migration')
        self.cp.computes['compute2'].update_available_resource(
            self.cp.admin)
        self.assertEqual(2048, self.memory_used('compute2'))
        # What a restarted migrator-compute on compute1 does first.
        compute_manager.ComputeManager('compute1').init_host()
        migration.refresh()
        self.assertEqual('error', migration.status)
        self.assertIsNone(self.instance(inst.uuid).task_state)
        self.assert_action_closed(ctxt, inst, 'compute_live_migration')
        # Freed at once, not at the destination's next periodic update.
        control_plane.wait_for(lambda: self.memory_used('compute2') == 0,
                               timeout=3, what='compute2 to free its claim')

    def test_expired_migration_closes_its_action(self):
        ctxt, inst, migration = self._stranded(
            'accepted', event='conductor_live_migrate_server')
        conductor = self.cp.services[0].manager
        self.cp.conf.config(stale_migration_timeout=60, group='conductor')
        timeutils.set_time_override(timeutils.utcnow() +
                                    datetime.timedelta(seconds=120))
        self.addCleanup(timeutils.clear_time_override)
        self.assertEqual(1, conductor.expire_stale_migrations(self.cp.admin))
        self.assert_action_closed(ctxt, inst,
                                  'conductor_live_migrate_server')

    def _expire_later(self, seconds=120):
        """The conductor's periodic check, ``seconds`` from now (every
        service's heartbeat then looks that old too: all are down)."""
        self.cp.conf.config(stale_migration_timeout=60, group='conductor')
        timeutils.set_time_override(timeutils.utcnow() +
                                    datetime.timedelta(seconds=seconds))
        self.addCleanup(timeutils.clear_time_override)
        return self.cp.services[0].manager.expire_stale_migrations(
            self.cp.admin)

    def test_expired_migration_taken_late_leaves_the_next_one_alone(self):
        # The conductor takes a request only after the stale-migration
        # check ended it and the server took another migration: it must
        # neither run the old one nor free the server of the new one.
        ctxt, inst, expired = self._stranded('accepted')
        self.assertEqual(1, self._expire_later())
        server = self.instance(inst.uuid)
        server.task_state = instance_obj.MIGRATING
        server.save(expected_task_state=[None])
        current = migration_obj.Migration.create_live_migration(ctxt,
                                                                server)
        conductor = self.cp.services[0].manager
        # Its own source as destination: a check that fails, so that a
        # roll-back runs.
        error = self.assertRaises(
            exception.MigrationPreCheckError, conductor.run_live_migration,
            ctxt, self.instance(inst.uuid), 'compute1', migration=expired)
        self.assertIn('was ended (error) before its pre-checks began',
                      str(error))
        self.assertEqual(instance_obj.MIGRATING,
                         self.instance(inst.uuid).task_state)
        current.refresh()
        self.assertEqual('accepted', current.status)

    def test_expiry_is_retried_whole_when_the_database_refuses(self):
        # Ending the migration and freeing its server are one write: a
        # deadlock between them left the server in its task for good.
        from oslo_db import exception as db_exc
        ctxt, inst, migration = self._stranded('accepted')
        release = interrupted.release_instance
        refusals = [db_exc.DBDeadlock()]

        def deadlock_once(*args):
            if refusals:
                raise refusals.pop()
            return release(*args)
        with mock.patch.object(interrupted, 'release_instance',
                               side_effect=deadlock_once):
            self.assertEqual(1, self._expire_later())
        migration.refresh()
        self.assertEqual('error', migration.status)
        self.assertIsNone(self.instance(inst.uuid).task_state)

    def test_queued_on_a_dead_source_is_ended(self):
        ctxt, inst, migration = self._stranded(
            'preparing', dest='compute2', event='compute_live_migration')
        self.assertEqual(1, self._expire_later())
        migration.refresh()
        self.assertEqual('error', migration.status)
        self.assertTrue(interrupted.rollback_pending(migration))
        inst = self.instance(inst.uuid)
        self.assertEqual((None, 'compute1'), (inst.task_state, inst.host))
        self.assert_action_closed(ctxt, inst, 'compute_live_migration')

    def test_queued_on_a_live_source_waits(self):
        ctxt, inst, migration = self._stranded('queued', dest='compute2')
        # Older than the (zero) age, but its source compute is up.
        self.assertEqual(0, stale_migrations.expire(self.cp.admin, 0))
        migration.refresh()
        self.assertEqual('queued', migration.status)

    def test_pre_migrating_cold_migration_is_ended(self):
        inst = self.cp.boot(host='compute1')
        ctxt = self.cp.new_context()
        inst.task_state = instance_obj.RESIZE_PREP
        inst.save(expected_task_state=[None])
        instance_action.InstanceAction.action_start(ctxt, inst.uuid,
                                                    'migrate')
        instance_action.InstanceActionEvent.event_start(
            ctxt, inst.uuid, 'conductor_migrate_server', host='conductor')
        migration = migration_obj.Migration.create_cold_migration(
            ctxt, inst, inst.flavor)
        self.assertEqual(1, self._expire_later())
        migration.refresh()
        self.assertEqual('error', migration.status)
        self.assertIsNone(self.instance(inst.uuid).task_state)
        self.assert_action_closed(ctxt, inst, 'conductor_migrate_server')

    def test_stopping_conductor_records_its_pre_checks(self):
        ctxt, inst, migration = self._stranded(
            'accepted', event='conductor_live_migrate_server')
        conductor = self.cp.services[0].manager
        with conductor.in_flight.track(inst.uuid, migration):
            conductor.record_interrupted('stopped')
        migration.refresh()
        self.assertEqual('error', migration.status)
        self.assertIsNone(self.instance(inst.uuid).task_state)
        self.assert_action_closed(ctxt, inst,
                                  'conductor_live_migrate_server')

    def test_build_whose_cast_was_lost_ends_in_error(self):
        inst = self.cp.boot(host='compute1')
        ctxt = self.cp.new_context()
        # As a build whose cast to its compute a broker restart lost.
        inst.vm_state = instance_obj.BUILDING
        inst.task_state = instance_obj.SPAWNING
        inst.save()
        instance_action.InstanceAction.action_start(ctxt, inst.uuid,
                                                    'create')
        instance_action.InstanceActionEvent.event_start(
            ctxt, inst.uuid, 'conductor_build_instances', host='conductor')
        conductor = self.cp.services[0].manager
        self.cp.conf.config(stale_build_timeout=600, group='conductor')
        # Younger than the timeout: left alone.
        self.assertEqual(0, conductor.expire_stale_builds(self.cp.admin))
        timeutils.set_time_override(timeutils.utcnow() +
                                    datetime.timedelta(seconds=700))
        self.addCleanup(timeutils.clear_time_override)
        self.assertEqual(1, conductor.expire_stale_builds(self.cp.admin))

        inst = self.instance(inst.uuid)
        self.assertEqual((instance_obj.ERROR, None),
                         (inst.vm_state, inst.task_state))
        fault = instance_fault.InstanceFault.get_latest_for_instance(
            ctxt, inst.uuid)
        self.assertIn('did not finish: still spawning 600 s', fault.message)
        action, events = self.cp.events(ctxt, inst.uuid)
        self.assertEqual('Error', action.message)
        self.assertEqual('Error', events['conductor_build_instances'][0])
        self.assertEqual(0, conductor.expire_stale_builds(self.cp.admin))

    def _pre_checks_fail_on_the_database(self, refusals):
        """The conductor takes an accepted live migration; its pre-checks
        fail on a database error and so does its own roll-back; the
        recording of the failure is refused ``refusals`` times more."""
        from oslo_db import exception as db_exc

        from migrator.conductor import in_flight
        from migrator.conductor import scheduler
        from migrator.conductor.tasks import live_migrate
        ctxt, inst, migration = self._stranded('accepted')
        conductor = self.cp.services[0].manager
        too_many = db_exc.DBConnectionError('(1040, Too many connections)')
        record = in_flight._Failure.record
        left = [refusals]

        def refused_then_record(failure, context):
            if left[0]:
                left[0] -= 1
                raise too_many
            return record(failure, context)
        with mock.patch.object(scheduler, 'usable_service',
                               side_effect=too_many), \
                mock.patch.object(live_migrate.LiveMigrationTask,
                                  'rollback', side_effect=too_many), \
                mock.patch.object(in_flight._Failure, 'record',
                                  refused_then_record):
            self.assertRaises(db_exc.DBConnectionError,
                              conductor.run_live_migration, ctxt,
                              self.instance(inst.uuid), None,
                              migration=migration)
            for _ in range(refusals):
                conductor.retry_unrecorded_failures(self.cp.admin)
        return ctxt, inst, migration, conductor

    def assert_failure_recorded(self, ctxt, inst, migration):
        migration.refresh()
        self.assertEqual('error', migration.status)
        self.assertIsNone(self.instance(inst.uuid).task_state)
        self.assert_action_closed(ctxt, inst,
                                  'conductor_live_migrate_server')

    def test_conductor_records_pre_checks_failed_on_the_database(self):
        ctxt, inst, migration, _ = \
            self._pre_checks_fail_on_the_database(refusals=0)
        self.assert_failure_recorded(ctxt, inst, migration)

    def test_failure_the_database_refused_is_recorded_later(self):
        ctxt, inst, migration, conductor = \
            self._pre_checks_fail_on_the_database(refusals=1)
        self.assertEqual(0, conductor.retry_unrecorded_failures(
            self.cp.admin))
        self.assert_failure_recorded(ctxt, inst, migration)

    def test_failed_rollback_is_recorded_and_retried(self):
        compute = self.cp.computes['compute1']
        ctxt, inst, migration = self._stranded('failed', dest='compute2')
        timeout = messaging.MessagingTimeout('no reply')
        with mock.patch.object(
                compute.live_migrations.compute_rpcapi,
                'rollback_live_migration_at_destination',
                side_effect=timeout):
            compute.live_migrations._rollback(
                ctxt, self.instance(inst.uuid), 'compute2', migration, {},
                'failed')
        migration.save()
        migration.refresh()
        self.assertTrue(migration.progress_detail['rollback_pending'])
        with mock.patch.object(
                compute.compute_rpcapi,
                'rollback_live_migration_at_destination',
                side_effect=timeout):
            self.assertEqual(
                0, compute.retry_pending_rollbacks(self.cp.admin))
        self.assertEqual(1, compute.retry_pending_rollbacks(self.cp.admin))
        migration.refresh()
        self.assertNotIn('rollback_pending', migration.progress_detail)
        self.assertEqual(0, compute.retry_pending_rollbacks(self.cp.admin))

    def test_aborting_a_queued_migration_cancels_it_at_once(self):
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
        ended = self.cp.wait_for_migration(second.uuid, timeout=5)
        self.assertEqual('cancelled', ended.status)
        self.assertIsNone(self.instance(second.uuid).task_state)
        # ... while the first is still running.
        self.assertEqual('running', self.cp.migration_of(first.uuid).status)
        api.live_migration_abort(self.cp.new_context(),
                                 self.instance(first.uuid), running.id)
        self.assertEqual('cancelled',
                         self.cp.wait_for_migration(first.uuid).status)
        self.assertEqual('cancelled',
                         self.cp.migration_of(second.uuid).status)


class TestHandOffOnABusyDatabase(lm.LiveMigrationTestBase):
    """The source compute's first write of a hand-off (accepted ->
    queued) fails on the database: it is retried, and if the database
    keeps refusing, the migration still ends visibly."""

    _stranded = TestInterrupted._stranded
    assert_action_closed = TestInterrupted.assert_action_closed

    def setUp(self):
        super().setUp()
        from migrator.compute import live_migration
        self.useFixture(fixtures.MockPatchObject(
            live_migration, 'HAND_OFF_RETRY_DELAYS', (0.01, 0.01),
            create=True))

    def _hand_off(self, refusals):
        """The conductor's hand-off reaches compute1; the database
        refuses the first ``refusals`` writes of status ``queued``."""
        from oslo_db import exception as db_exc

        from migrator.compute import live_migration
        ctxt, inst, migration = self._stranded(
            'accepted', dest='compute2',
            event='conductor_live_migrate_server')
        set_status = live_migration.set_status
        left = [refusals]

        def refused(mig, status, expected=None):
            if status == 'queued' and left[0]:
                left[0] -= 1
                raise db_exc.DBConnectionError(
                    '(1040, Too many connections)')
            return set_status(mig, status, expected)
        compute = self.cp.computes['compute1']
        with mock.patch.object(live_migration, 'set_status', refused):
            compute.live_migration(ctxt, self.instance(inst.uuid),
                                   'compute2', migration, {})
        return ctxt, inst, migration

    def test_first_write_refused_once_is_retried(self):
        ctxt, inst, migration = self._hand_off(refusals=1)
        ended = self.cp.wait_for_migration(inst.uuid)
        self.assertNotIn(ended.status, ('accepted', 'error'))
        self.assertIn('queued', ended.progress_detail['phases'])

    def test_first_write_always_refused_ends_the_migration(self):
        ctxt, inst, migration = self._hand_off(refusals=100)
        migration.refresh()
        self.assertEqual('error', migration.status)
        self.assertIsNone(self.instance(inst.uuid).task_state)
        self.assert_action_closed(ctxt, inst,
                                  'conductor_live_migrate_server')
