"""The compute service's RPC endpoint: it owns one host and its guests."""
import sys

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_utils import excutils
from oslo_utils import timeutils

from migrator.compute import live_migration
from migrator.compute import notifications
from migrator.compute import resource_tracker
from migrator import context as migrator_context
from migrator import exception
from migrator import instance_events
from migrator.instance_events import wrap_instance_event
from migrator import manager
from migrator.objects import compute_node as compute_node_obj
from migrator.objects import instance as instance_obj
from migrator.objects import instance_fault
from migrator.rpcapi import compute as compute_rpcapi
from migrator.virt import driver as virt_driver

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


class ComputeManager(manager.Manager):
    target = messaging.Target(version=compute_rpcapi.ComputeAPI.VERSION)

    def __init__(self, host, driver=None):
        super().__init__(host, 'compute')
        self.driver = driver or virt_driver.load_driver(
            CONF.compute_driver, CONF)
        self.rt = resource_tracker.ResourceTracker(host, self.driver)
        self.compute_rpcapi = compute_rpcapi.ComputeAPI()
        self.live_migrations = live_migration.LiveMigrationRunner(
            host, self.driver, self.update_available_resource,
            notifier=notifications.MigrationNotifier(host))

    def init_host(self):
        self.driver.init_host(self.host)
        context = migrator_context.get_admin_context()
        self._restore_guests(context)
        live_migration.cleanup_interrupted(context, self.host, self.driver,
                                           self.compute_rpcapi)

    def _restore_guests(self, context):
        """Reconcile the records with the hypervisor after a restart."""
        known = set(self.driver.list_instance_uuids())
        for instance in instance_obj.InstanceList.get_by_host(context,
                                                              self.host):
            if instance.uuid in known or \
                    instance.vm_state != instance_obj.ACTIVE:
                continue
            if self.driver.restore_guest(instance.as_guest()):
                LOG.info('Guest of %s restored on %s', instance.uuid,
                         self.host)
            else:
                LOG.warning('Instance %s is recorded on %s but its guest '
                            'is not on the hypervisor', instance.uuid,
                            self.host)

    def post_start_hook(self):
        self.update_available_resource(
            migrator_context.get_admin_context())

    def cleanup_host(self):
        self.driver.cleanup_host()

    def drain(self, timeout):
        self.live_migrations.shutdown('compute service on %s stopping'
                                      % self.host, timeout)

    def record_interrupted(self, reason):
        self.live_migrations.record_interrupted(reason)

    def periodic_tasks(self):
        return [(self.update_available_resource,
                 CONF.compute.resource_update_interval),
                (self.retry_pending_rollbacks,
                 CONF.compute.rollback_retry_interval)]

    def retry_pending_rollbacks(self, context):
        return live_migration.retry_pending_rollbacks(
            context, self.host, self.compute_rpcapi)

    def update_available_resource(self, context):
        self.rt.update_available_resource(context)

    # -- RPC methods ------------------------------------------------------
    def ping(self, context, payload):
        return {'host': self.host, 'service': 'compute', 'payload': payload}

    def refresh_resources(self, context):
        self.update_available_resource(context)

    @messaging.expected_exceptions(exception.MigratorException)
    def build_and_run_instance(self, context, instance, node=None):
        # The event is closed before the instance changes state, so that
        # whoever sees it ACTIVE or ERROR also sees the event's result.
        try:
            with instance_events.recorded(context, instance,
                                          'compute_build_and_run_instance',
                                          self.host):
                self.driver.spawn(instance.as_guest())
        except Exception as exc:
            with excutils.save_and_reraise_exception():
                LOG.error('Build of %s on %s failed: %s', instance.uuid,
                          self.host, exc)
                instance.vm_state = instance_obj.ERROR
                instance.task_state = None
                instance.host = None
                instance.node = None
                instance.save()
                instance_fault.InstanceFault.record(
                    context, instance.uuid, exc, host=self.host,
                    exc_tb=sys.exc_info()[2])
                self.update_available_resource(context)
        instance.vm_state = instance_obj.ACTIVE
        instance.task_state = None
        instance.power_state = self.driver.get_power_state(
            instance.as_guest())
        instance.launched_at = timeutils.utcnow()
        instance.save(expected_task_state=[instance_obj.SPAWNING])
        LOG.info('Instance %s is ACTIVE on %s', instance.uuid, self.host)
        self.update_available_resource(context)

    @wrap_instance_event(prefix='compute')
    def terminate_instance(self, context, instance):
        self.driver.destroy(instance.as_guest())
        instance.destroy()
        LOG.info('Instance %s deleted from %s', instance.uuid, self.host)
        self.update_available_resource(context)

    # -- live migration: checks (destination, then source) ---------------
    @wrap_instance_event(prefix='compute')
    def check_can_live_migrate_destination(self, context, instance,
                                           block_migration=None,
                                           migration=None):
        source = compute_node_obj.ComputeNode.get_by_host_and_nodename(
            context, instance.host, instance.node)
        source_resources = {
            'hypervisor_type': source.hypervisor_type,
            'hypervisor_version': source.hypervisor_version,
            'cpu_info': source.cpu_info}
        dest_check_data = self.driver.check_can_live_migrate_destination(
            instance.as_guest(), source_resources, block_migration)
        dest_check_data.setdefault('block_migration', bool(block_migration))
        return self.compute_rpcapi.check_can_live_migrate_source(
            context, instance, dest_check_data)

    @wrap_instance_event(prefix='compute')
    def check_can_live_migrate_source(self, context, instance,
                                      dest_check_data):
        if instance.uuid not in self.driver.list_instance_uuids():
            raise exception.MigrationPreCheckError(
                reason='the guest of %s is not running on %s'
                % (instance.uuid, self.host))
        return self.driver.check_can_live_migrate_source(
            instance.as_guest(), dest_check_data)

    # -- live migration: the transfer ---------------------------------------
    @wrap_instance_event(prefix='compute')
    def pre_live_migration(self, context, instance, migration,
                           migrate_data):
        return self.driver.pre_live_migration(instance.as_guest(),
                                              migrate_data)

    def live_migration(self, context, instance, dest, migration,
                       migrate_data):
        # The runner's worker records the compute_live_migration event for
        # the whole transfer, not just for queueing it.
        self.live_migrations.submit(context, instance, dest, migration,
                                    migrate_data)

    @wrap_instance_event(prefix='compute')
    def post_live_migration_at_destination(self, context, instance,
                                           migration, migrate_data):
        self.driver.post_live_migration_at_destination(instance.as_guest(),
                                                       migrate_data)
        instance.host = self.host
        instance.node = migration.dest_node
        instance.power_state = self.driver.get_power_state(
            instance.as_guest())
        instance.task_state = None
        instance.progress = None
        instance.save()
        self.update_available_resource(context)

    @wrap_instance_event(prefix='compute')
    def rollback_live_migration_at_destination(self, context, instance,
                                               migration, migrate_data):
        self.driver.rollback_live_migration_at_destination(
            instance.as_guest(), migrate_data)

    # -- live migration: operator controls ----------------------------------
    @messaging.expected_exceptions(exception.MigratorException)
    @wrap_instance_event(prefix='compute')
    def live_migration_force_complete(self, context, instance,
                                      migration_id):
        self.live_migrations.force_complete(migration_id)

    @messaging.expected_exceptions(exception.MigratorException)
    @wrap_instance_event(prefix='compute')
    def live_migration_abort(self, context, instance, migration_id):
        self.live_migrations.abort(migration_id)
