"""The conductor runs the pre-checks of asynchronous live migrations in
threads of its own: however many wait on a compute (after a broker
restart each waits out its RPC timeout), the conductor still answers
other requests; and a stop records those it could not finish."""
import threading

import fixtures
from oslo_config import cfg
from oslo_messaging import opts as messaging_opts

from migrator.compute import manager as compute_manager
from migrator.objects import instance as instance_obj
from migrator.rpcapi import conductor as conductor_rpcapi
from migrator.tests import base
from migrator.tests.functional import control_plane

# The RPC server's threads: fewer than the migrations held below.
RPC_THREADS = 2
HELD = 3


class TestPreChecksOffTheRPCThreads(base.TestCase):

    def setUp(self):
        super().setUp()
        # oslo.messaging registers its executor option only when it
        # makes a server: registered here, so that the control plane
        # can set it before its servers exist.
        for group, opts in messaging_opts.list_opts():
            if group is None:
                cfg.CONF.register_opts(
                    [o for o in opts if o.name == 'executor_thread_pool_size'])
        self.cp = self.useFixture(control_plane.ControlPlane(config={
            None: {'executor_thread_pool_size': RPC_THREADS,
                   'rpc_response_timeout': 5}}))
        self.release = threading.Event()
        self.addCleanup(self.release.set)
        self.waiting = threading.Semaphore(0)
        checks = compute_manager.ComputeManager.\
            check_can_live_migrate_destination

        def held(manager, *args, **kwargs):
            self.waiting.release()
            self.release.wait(30)
            return checks(manager, *args, **kwargs)
        self.useFixture(fixtures.MockPatchObject(
            compute_manager.ComputeManager,
            'check_can_live_migrate_destination', held))

    def _cast_held(self, count):
        accepted = [self.cp.claimed_for_live_migration('m1.tiny')
                    for _ in range(count)]
        conductor = conductor_rpcapi.ConductorAPI()
        for ctxt, inst, migration in accepted:
            conductor.live_migrate_server(ctxt, inst, 'compute2',
                                          migration=migration)
        for _ in range(min(count, RPC_THREADS)):
            # The computes' own RPC threads are held too.
            self.assertTrue(self.waiting.acquire(timeout=20))
        return accepted

    def test_conductor_answers_while_pre_checks_wait(self):
        accepted = self._cast_held(HELD)
        answer = conductor_rpcapi.ConductorAPI().ping(self.cp.admin, 'hi')
        self.assertEqual('hi', answer['payload'])
        self.release.set()
        for _, inst, _ in accepted:
            self.cp.wait_for_migration(inst.uuid)

    def test_stop_records_pre_checks_it_could_not_finish(self):
        accepted = self._cast_held(HELD)
        self.cp.services[0].manager.drain(0.1)
        self.release.set()
        for ctxt, inst, migration in accepted:
            migration.refresh()
            self.assertEqual('error', migration.status, inst.uuid)
            inst = instance_obj.Instance.get_by_uuid(ctxt, inst.uuid)
            self.assertIsNone(inst.task_state)
