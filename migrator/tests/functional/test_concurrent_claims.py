"""Two moves or builds that read the same last room on a host and then
claim it: one gets it, the other another host or a clear refusal; the
host is never claimed beyond its capacity.

Each race is made deterministic: the first request is held after its
reads (at the destination's RPC check, or after the scheduler) while the
second runs through, and only then claims.
"""
import threading

import fixtures
import oslo_messaging as messaging

from migrator import capacity
from migrator.compute import manager as compute_manager
from migrator.conductor import scheduler
from migrator.conductor.tasks import migrate as migrate_task
from migrator import exception
from migrator.objects import compute_node as compute_node_obj
from migrator.objects import instance as instance_obj
from migrator.objects import instance_action
from migrator.objects import migration as migration_obj
from migrator.tests import base
from migrator.tests.functional import control_plane

HOSTS = ('compute1', 'compute2', 'compute3')
# Room for two m1.small servers (2048 MiB each) per host.
MEMORY_MB = 4096


def unwrapped(call, *args, **kwargs):
    """``call()``, raising what it raised, not the RPC server's wrapper
    for the exceptions a caller expects."""
    try:
        return call(*args, **kwargs)
    except messaging.ExpectedException as wrapped:
        raise wrapped.exc_info[1]


class ClaimRaceTestBase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.plane = self.useFixture(control_plane.ControlPlane(
            HOSTS, config={'fake_driver': {'memory_mb': MEMORY_MB},
                           'compute': {'ram_allocation_ratio': 1.0}}))
        self.conductor = [svc.manager for svc in self.plane.services
                          if svc.binary == 'migrator-conductor'][0]

    def fill(self, host, count):
        return [self.plane.boot('m1.small', host=host)
                for _ in range(count)]

    def assert_no_host_over(self):
        for host in HOSTS:
            node = compute_node_obj.ComputeNodeList.get_all_by_host(
                self.plane.admin, host)[0]
            free = capacity.free_capacity(self.plane.admin, node)
            self.assertGreaterEqual(free['memory_mb'], 0,
                                    '%s claimed beyond its memory' % host)

    @staticmethod
    def in_thread(call, *args, **kwargs):
        """Run ``call`` in a thread; (thread, outcome), outcome's
        'error' being what it raised."""
        outcome = {}

        def run():
            try:
                unwrapped(call, *args, **kwargs)
            except Exception as exc:
                outcome['error'] = exc
        thread = threading.Thread(target=run)
        thread.start()
        return thread, outcome


class TestLiveMigrationClaims(ClaimRaceTestBase):

    def setUp(self):
        super().setUp()
        # compute1 is full; compute2 and compute3 have room for one each.
        self.fill('compute1', 2)
        self.fill('compute2', 1)
        self.fill('compute3', 1)
        self.checking = threading.Event()
        self.release = threading.Event()
        self.addCleanup(self.release.set)
        self.held_uuid = None
        checks = compute_manager.ComputeManager.\
            check_can_live_migrate_destination

        def held(manager, context, instance, *args, **kwargs):
            if instance.uuid == self.held_uuid:
                self.checking.set()
                self.release.wait(30)
            return checks(manager, context, instance, *args, **kwargs)
        self.useFixture(fixtures.MockPatchObject(
            compute_manager.ComputeManager,
            'check_can_live_migrate_destination', held))

    def accepted_on_compute1(self):
        servers = instance_obj.InstanceList.get_by_filters(
            self.plane.admin, {'host': 'compute1'})
        accepted = []
        for inst in servers:
            ctxt = self.plane.new_context()
            # As the RPC layer gives it: the request's context.
            inst._context = ctxt
            inst.task_state = instance_obj.MIGRATING
            inst.save(expected_task_state=[None])
            instance_action.InstanceAction.action_start(
                ctxt, inst.uuid, 'live-migration')
            accepted.append((ctxt, inst,
                             migration_obj.Migration.create_live_migration(
                                 ctxt, inst)))
        return accepted

    def race(self, destination):
        """The first server's pre-checks held at the destination's check
        while the second's run through; the first's outcome."""
        first, second = self.accepted_on_compute1()
        self.held_uuid = first[1].uuid
        thread, outcome = self.in_thread(
            self.conductor.run_live_migration, first[0], first[1],
            destination, migration=first[2])
        self.assertTrue(self.checking.wait(20))
        self.conductor.run_live_migration(second[0], second[1], destination,
                                          migration=second[2])
        self.release.set()
        thread.join(30)
        return first, second, outcome

    def test_scheduled_loser_moves_to_next_candidate(self):
        first, second, outcome = self.race(None)
        self.assertNotIn('error', outcome)
        done = [self.plane.wait_for_migration(inst.uuid)
                for _, inst, _ in (first, second)]
        self.assertEqual(['completed', 'completed'],
                         [m.status for m in done])
        self.assertEqual({'compute2', 'compute3'},
                         {m.dest_compute for m in done})
        self.assert_no_host_over()

    def test_requested_destination_taken_meanwhile_fails_clearly(self):
        first, second, outcome = self.race('compute2')
        self.assertIsInstance(outcome.get('error'),
                              exception.InsufficientResources)
        self.assertIn('compute2 lacks room', str(outcome['error']))
        self.assertEqual('completed', self.plane.wait_for_migration(
            second[1].uuid).status)
        first[2].refresh()
        self.assertEqual(('error', None),
                         (first[2].status, first[2].dest_compute))
        self.assertIsNone(self.plane.wait_for_task_cleared(
            first[1].uuid).task_state)
        self.assert_no_host_over()


class TestBuildClaims(ClaimRaceTestBase):

    def setUp(self):
        super().setUp()
        # compute1 is full; compute2 and compute3 have room for one each.
        self.fill('compute1', 2)
        self.fill('compute2', 1)
        self.fill('compute3', 1)

    def race(self, requested_host):
        """Two servers to build: the second built through while the
        first waits between the scheduler's read and its claim. The
        first's build; the second server."""
        first, second = [self.plane.scheduling('m1.small')
                         for _ in range(2)]
        select = scheduler.select_hosts
        raced = []

        def then_the_second(*args, **kwargs):
            nodes = select(*args, **kwargs)
            if not raced:
                raced.append(True)
                unwrapped(self.conductor.build_instances, second._context,
                          second, requested_host)
            return nodes
        self.useFixture(fixtures.MockPatchObject(
            scheduler, 'select_hosts', then_the_second))
        return (lambda: unwrapped(self.conductor.build_instances,
                                  first._context, first, requested_host)
                ), first, second

    def active(self, inst):
        built = control_plane.wait_for(
            lambda: self.plane.settled(inst.uuid),
            what='server %s to build' % inst.uuid)
        self.assertEqual(instance_obj.ACTIVE, built.vm_state)
        return built

    def test_scheduled_loser_builds_on_next_candidate(self):
        build, first, second = self.race(None)
        build()
        hosts = {self.active(inst).host for inst in (first, second)}
        self.assertEqual({'compute2', 'compute3'}, hosts)
        self.assert_no_host_over()

    def test_requested_host_taken_meanwhile_fails_clearly(self):
        build, first, second = self.race('compute2')
        error = self.assertRaises(exception.NoValidHost, build)
        self.assertIn('compute2 lacks room', str(error))
        self.assertEqual('compute2', self.active(second).host)
        self.assert_no_host_over()


class TestColdMigrationClaims(ClaimRaceTestBase):

    def setUp(self):
        super().setUp()
        # compute1 is full; compute2 has room for one.
        self.fill('compute1', 2)
        self.fill('compute2', 1)

    def pre_migrating_on_compute1(self):
        servers = instance_obj.InstanceList.get_by_filters(
            self.plane.admin, {'host': 'compute1'})
        moves = []
        for inst in servers:
            ctxt = self.plane.new_context()
            inst._context = ctxt
            inst.task_state = instance_obj.RESIZE_PREP
            inst.save(expected_task_state=[None])
            instance_action.InstanceAction.action_start(ctxt, inst.uuid,
                                                        'migrate')
            moves.append((ctxt, inst,
                          migration_obj.Migration.create_cold_migration(
                              ctxt, inst, inst.flavor)))
        return moves

    def hold_until_both_read(self):
        """Both tasks pass their reads before either claims."""
        both_read = threading.Barrier(2, timeout=20)
        prep = migrate_task.MigrationTask._prep_resize

        def after_both(task, node):
            both_read.wait()
            return prep(task, node)
        self.useFixture(fixtures.MockPatchObject(
            migrate_task.MigrationTask, '_prep_resize', after_both))

    def hold_destination_until_both_decided(self, moves):
        """The destination's prep_resize waits until both migrations
        name it, or one of them has failed: each checks its room with
        every claim that was made counted."""
        def decided():
            now = [migration_obj.Migration.get_by_id(self.plane.admin,
                                                     m.id)
                   for _, _, m in moves]
            return (all(m.dest_compute == 'compute2' for m in now) or
                    any(m.status == 'error' for m in now))
        prep = compute_manager.ComputeManager.prep_resize

        def when_decided(manager, *args, **kwargs):
            control_plane.wait_for(decided, timeout=20,
                                   what='both claims to be decided')
            return prep(manager, *args, **kwargs)
        self.useFixture(fixtures.MockPatchObject(
            compute_manager.ComputeManager, 'prep_resize', when_decided))

    def test_requested_destination_taken_meanwhile_fails_one(self):
        moves = self.pre_migrating_on_compute1()
        self.hold_until_both_read()
        self.hold_destination_until_both_decided(moves)
        runs = [self.in_thread(self.conductor.cold_migrate_server, ctxt,
                               inst, inst.flavor, 'compute2',
                               migration=migration)
                for ctxt, inst, migration in moves]
        for thread, _ in runs:
            thread.join(60)
        errors = [outcome.get('error') for _, outcome in runs]
        # Before the claim was checked under a lock, both named compute2
        # and both were refused there.
        self.assertEqual(1, errors.count(None), errors)
        lost = [e for e in errors if e is not None][0]
        self.assertIsInstance(lost, exception.InsufficientResources)
        self.assertIn('compute2 lacks room', str(lost))
        winner = moves[errors.index(None)][1]
        self.assertEqual('compute2', self.plane.wait_for_migration(
            winner.uuid, statuses=('finished',)).dest_compute)
        self.assert_no_host_over()
