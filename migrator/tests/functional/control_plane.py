"""An in-process control plane for functional tests: a conductor and N
compute hosts (fake driver) on the in-process transport, SQLite databases,
and helpers to make servers and wait for outcomes.

The fake driver runs its simulations ``time_scale`` times faster than real
time, so a migration that would take 20 s takes a fraction of a second
while every step (iterations, progress saves, switch-over) still happens.
"""
import threading
import time

import fixtures
from oslo_config import cfg
from oslo_messaging.notify import _impl_test as test_notifier
from oslo_messaging import opts as messaging_opts
from oslo_utils import uuidutils

from migrator.api import validation
from migrator import context as migrator_context
from migrator import embedded
from migrator.objects import flavor as flavor_obj
from migrator.objects import instance as instance_obj
from migrator.objects import instance_action
from migrator.objects import instance_mapping as mapping_obj
from migrator.objects import migration as migration_obj
from migrator.rpcapi import conductor as conductor_rpcapi
from migrator import service
from migrator.tests import fixtures as migrator_fixtures

CONF = cfg.CONF

FINAL = ('completed', 'failed', 'error', 'cancelled')


def wait_for(predicate, timeout=20.0, interval=0.02, what='condition'):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out after %ss waiting for %s'
                                 % (timeout, what))
        time.sleep(interval)


class ControlPlane(fixtures.Fixture):
    """Conductor + computes; ``self.computes[host]`` is each manager."""

    def __init__(self, hosts=('compute1', 'compute2'), time_scale=50.0,
                 database=True, config=None):
        super().__init__()
        self.hosts = hosts
        self.time_scale = time_scale
        self.database = database
        # {group or None: {option: value}} set before the services start.
        self.config = config or {}

    def setUp(self):
        super().setUp()
        # The APIs in front of it answer only what their response
        # schemas describe (migrator.api.validation.check_response).
        self.useFixture(fixtures.MockPatchObject(
            validation, 'RESPONSE_CHECK', True))
        from migrator.conductor import manager as conductor_manager

        conf = self.useFixture(migrator_fixtures.ConfFixture())
        if self.database:
            self.useFixture(migrator_fixtures.Database())
        conf.config(time_scale=self.time_scale, group='fake_driver')
        # Simulated PMEM namespaces and other host state go to a
        # directory of the test's own.
        conf.config(state_path=self.useFixture(fixtures.TempDir()).path)
        for group, values in self.config.items():
            conf.config(group=group, **values)
        conf.config(monitor_poll_interval=0.05,
                    progress_save_interval=0.1, group='live_migration')
        # Notifications go to oslo.messaging's in-memory test driver.
        for group, opts in messaging_opts.list_opts():
            if group == 'oslo_messaging_notifications':
                CONF.register_opts(opts, group=group)
        conf.config(driver=['test'], group='oslo_messaging_notifications')
        test_notifier.reset()
        self.conf = conf
        self.useFixture(migrator_fixtures.RPCFixture())
        self.cell = embedded.prepare_cells_and_hosts(self.hosts)
        embedded.seed_flavors(migrator_context.get_admin_context())
        embedded.seed_pmem_flavors(migrator_context.get_admin_context())
        self.services = [service.Service(
            'conductor', 'migrator-conductor', 'conductor',
            conductor_manager.ConductorManager('conductor'))]
        self.computes = {}
        for host in self.hosts:
            self._add_compute(host)
        for svc in self.services:
            svc.start()
        self.addCleanup(self._stop_all)
        self.admin = self.new_context()

    def _add_compute(self, host):
        from migrator.compute import manager as compute_manager
        manager = compute_manager.ComputeManager(host)
        self.computes[host] = manager
        svc = service.Service(host, 'migrator-compute', 'compute', manager)
        self.services.append(svc)
        return svc

    def restart_compute(self, host, before_start=None):
        """Stop the compute service of ``host`` (as a SIGTERM would) and
        start a new one in its place; ``before_start()`` runs between."""
        old = [svc for svc in self.services if svc.host == host and
               svc.binary == 'migrator-compute'][0]
        old.stop(5)
        self.services.remove(old)
        if before_start is not None:
            before_start()
        svc = self._add_compute(host)
        svc.start()
        return self.computes[host]

    def _stop_all(self):
        # Each RPC server takes a poll interval to stop: stop them at once,
        # once every service has drained (its migrations ended and rolled
        # back while the others still answer), as service.stop_all does.
        for phase in ('drain', 'stop'):
            threads = [threading.Thread(target=getattr(svc, phase),
                                        args=(5,))
                       for svc in self.services]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

    @staticmethod
    def new_context(user='admin', project='admin'):
        roles = ['admin'] if user == 'admin' else ['member']
        return migrator_context.RequestContext(
            user_id=user, project_id=project, roles=roles)

    def boot(self, flavor_name='m1.small', host=None, metadata=None,
             ctxt=None):
        """Create a server through the conductor and wait for ACTIVE."""
        ctxt = ctxt or self.new_context()
        inst = self.scheduling(flavor_name, metadata, ctxt)
        conductor_rpcapi.ConductorAPI().build_instances(
            ctxt, inst, requested_host=host)
        return wait_for(lambda: self.settled(inst.uuid),
                        what='server %s to build' % inst.uuid)

    def scheduling(self, flavor_name='m1.small', metadata=None, ctxt=None):
        """A new server as the API leaves it before it asks the
        conductor to build it (task ``scheduling``, mapped, its action
        started)."""
        ctxt = ctxt or self.new_context()
        flavor = flavor_obj.Flavor.get_by_name(ctxt, flavor_name)
        inst = instance_obj.Instance(
            ctxt, uuid=uuidutils.generate_uuid(), display_name='server',
            vm_state=instance_obj.BUILDING,
            task_state=instance_obj.SCHEDULING, flavor=flavor,
            instance_type_id=flavor.id, memory_mb=flavor.memory_mb,
            vcpus=flavor.vcpus, root_gb=flavor.root_gb,
            ephemeral_gb=flavor.ephemeral_gb, metadata=metadata or {},
            project_id=ctxt.project_id, user_id=ctxt.user_id)
        inst.create()
        mapping_obj.InstanceMapping(ctxt, instance_uuid=inst.uuid,
                                    cell_mapping=self.cell,
                                    project_id=ctxt.project_id,
                                    user_id=ctxt.user_id).create()
        instance_action.InstanceAction.action_start(ctxt, inst.uuid,
                                                    'create')
        return inst

    def claimed_for_live_migration(self, flavor_name='m1.small',
                                   host='compute1'):
        """A booted server claimed for a live migration, with its action
        and Migration (``accepted``), as the API leaves it before it
        casts to the conductor: (context, instance, migration)."""
        inst = self.boot(flavor_name, host=host)
        ctxt = self.new_context()
        inst.task_state = instance_obj.MIGRATING
        inst.save(expected_task_state=[None])
        instance_action.InstanceAction.action_start(ctxt, inst.uuid,
                                                    'live-migration')
        migration = migration_obj.Migration.create_live_migration(ctxt,
                                                                  inst)
        return ctxt, inst, migration

    def settled(self, uuid):
        inst = instance_obj.Instance.get_by_uuid(self.admin, uuid)
        if inst.vm_state != instance_obj.BUILDING:
            return inst
        return None

    def migration_of(self, instance_uuid):
        found = migration_obj.MigrationList.get_by_filters(
            self.admin, {'instance_uuid': instance_uuid})
        return found[0] if found else None

    def wait_for_migration(self, instance_uuid, statuses=FINAL,
                           timeout=20.0):
        def reached():
            mig = self.migration_of(instance_uuid)
            return mig if mig and mig.status in statuses else None
        return wait_for(reached, timeout=timeout,
                        what='migration of %s to reach %s'
                        % (instance_uuid, statuses))

    def start_live_migration(self, metadata, source='compute1',
                             dest='compute2', statuses=('running',)):
        """Boot a server on ``source`` and live-migrate it to ``dest``
        through the conductor, as the API would (task claimed, action
        started); (instance, migration) once the migration reaches one
        of ``statuses``."""
        inst = self.boot(host=source, metadata=metadata)
        ctxt = self.new_context()
        inst.task_state = instance_obj.MIGRATING
        inst.save(expected_task_state=[None])
        instance_action.InstanceAction.action_start(ctxt, inst.uuid,
                                                    'live-migration')
        conductor_rpcapi.ConductorAPI().live_migrate_server(
            ctxt, inst, dest)
        return inst, self.wait_for_migration(inst.uuid, statuses=statuses)

    def wait_for_task_cleared(self, instance_uuid):
        return wait_for(
            lambda: (lambda i: i if i.task_state is None else None)(
                instance_obj.Instance.get_by_uuid(self.admin,
                                                  instance_uuid)),
            what='task_state of %s to clear' % instance_uuid)

    def events(self, ctxt, instance_uuid):
        """{event name: (result, details)} of ctxt's request."""
        action = instance_action.InstanceAction.get_by_request_id(
            ctxt, instance_uuid, ctxt.request_id)
        events = instance_action.InstanceActionEventList.get_by_action(
            ctxt, action.id)
        return action, {e.event: (e.result, e.details) for e in events}


def notifications(event_type):
    """Payload data of the notifications of ``event_type`` sent so far."""
    return [message['payload']['migrator_object.data']
            for _, message, _, _ in list(test_notifier.NOTIFICATIONS)
            if message['event_type'] == event_type]
