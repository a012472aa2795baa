"""The compute service's RPC endpoint: it owns one host and its guests."""
import sys

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_utils import excutils
from oslo_utils import timeutils

from migrator.compute import live_migration
from migrator.compute import notifications
from migrator.compute.resize import cleanup as resize_cleanup
from migrator.compute.resize import common as resize_common
from migrator.compute.resize import confirm as resize_confirm
from migrator.compute.resize import finish as resize_finish
from migrator.compute.resize import pmem_copy
from migrator.compute.resize import prep as resize_prep
from migrator.compute.resize import recovery as resize_recovery
from migrator.compute.resize import revert as resize_revert
from migrator.compute.resize import source as resize_source
from migrator.compute import resource_tracker
from migrator.compute import volume_swap
from migrator import exception
from migrator import instance_events
from migrator.instance_events import wrap_instance_event
from migrator import manager
from migrator.objects import compute_node as compute_node_obj
from migrator.objects import instance as instance_obj
from migrator.objects import instance_fault
from migrator.objects import pmem_namespace as pmem_obj
from migrator import pmem
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
        # Volumes (attach, detach, swap): their own RPC namespace.
        self.volumes = volume_swap.ComputeVolumeEndpoint(host, self.driver)
        self.additional_endpoints = [self.volumes]
        self.live_migrations = live_migration.LiveMigrationRunner(
            host, self.driver, self.update_available_resource,
            notifier=notifications.MigrationNotifier(host))
        # Copies of PMEM namespaces running out of this host, by
        # migration uuid: set() cancels one.
        self.copy_cancels = {}
        self.cold = resize_common.Compute(
            host, self.driver, self.compute_rpcapi,
            self.update_available_resource, self.copy_cancels)

    def init_host(self):
        self.driver.init_host(self.host)
        context = self.admin_context()
        self._sync_pmem(context)
        self._restore_guests(context)
        self.volumes.recover_swaps(
            context, instance_obj.InstanceList.get_by_host(context,
                                                           self.host))
        live_migration.cleanup_interrupted(context, self.host, self.driver,
                                           self.compute_rpcapi)
        resize_recovery.cleanup_interrupted(self.cold, context)

    def _sync_pmem(self, context):
        vanished = pmem_obj.PmemNamespaceList.sync_host(
            context, self.host, self.driver.get_pmem_namespaces())
        for name in vanished:
            LOG.warning('PMEM namespace %s of %s is assigned but no longer '
                        'configured; its record is kept', name, self.host)

    def _restore_guests(self, context):
        """Reconcile the records with the hypervisor after a restart."""
        known = set(self.driver.list_instance_uuids())
        for instance in instance_obj.InstanceList.get_by_host(context,
                                                              self.host):
            if instance.uuid in known or instance.vm_state not in (
                    instance_obj.ACTIVE, instance_obj.RESIZED):
                continue
            if self.driver.restore_guest(self._guest(context, instance)):
                LOG.info('Guest of %s restored on %s', instance.uuid,
                         self.host)
            else:
                LOG.warning('Instance %s is recorded on %s but its guest '
                            'is not on the hypervisor', instance.uuid,
                            self.host)

    def post_start_hook(self):
        self.update_available_resource(
            self.admin_context())

    def cleanup_host(self):
        self.driver.cleanup_host()

    def drain(self, timeout):
        self.live_migrations.shutdown('compute service on %s stopping'
                                      % self.host, timeout)

    def record_interrupted(self, reason):
        self.live_migrations.record_interrupted(reason)
        for cancel in list(self.copy_cancels.values()):
            cancel.set()

    def periodic_tasks(self):
        tasks = [(self.update_available_resource,
                  CONF.compute.resource_update_interval),
                 (self.retry_pending_rollbacks,
                  CONF.compute.rollback_retry_interval),
                 (self.reap_pmem_claims,
                  CONF.compute.resource_update_interval)]
        if CONF.resize_confirm_window:
            tasks.append((self.confirm_old_resizes,
                          CONF.compute.resize_confirm_check_interval))
        return tasks

    def retry_pending_rollbacks(self, context):
        return live_migration.retry_pending_rollbacks(
            context, self.host, self.compute_rpcapi)

    def reap_pmem_claims(self, context):
        resize_recovery.reap_claims(self.cold, context)

    def confirm_old_resizes(self, context):
        return resize_recovery.confirm_old_resizes(self.cold, context)

    def _guest(self, context, instance):
        """The guest dict of ``instance`` with its namespaces here."""
        guest = instance.as_guest()
        guest['pmem'] = [ns.as_dict() for ns in
                         pmem_obj.PmemNamespaceList.get_by_instance(
                             context, instance.uuid, host=self.host)]
        return guest

    def update_available_resource(self, context):
        self.rt.update_available_resource(context)

    # -- RPC methods ------------------------------------------------------
    def ping(self, context, payload):
        return {'host': self.host, 'service': 'compute', 'payload': payload}

    def refresh_resources(self, context):
        self.update_available_resource(context)

    def get_host_uptime(self, context):
        return self.driver.get_host_uptime()

    @messaging.expected_exceptions(exception.MigratorException)
    def build_and_run_instance(self, context, instance, node=None):
        # The event is closed before the instance changes state, so that
        # whoever sees it ACTIVE or ERROR also sees the event's result.
        try:
            with instance_events.recorded(context, instance,
                                          'compute_build_and_run_instance',
                                          self.host):
                claimed = pmem_obj.PmemNamespaceList.claim(
                    context, self.host, instance.uuid,
                    pmem.requested_labels(instance.as_guest()[
                        'extra_specs']))
                for ns in claimed:
                    LOG.info('Instance %s has PMEM namespace %s (%s, %s)',
                             instance.uuid, ns.name, ns.label, ns.devpath)
                self.driver.spawn(self._guest(context, instance))
        except Exception as exc:
            with excutils.save_and_reraise_exception():
                LOG.error('Build of %s on %s failed: %s', instance.uuid,
                          self.host, exc)
                self._free_pmem(context, instance)
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

    def _free_pmem(self, context, instance):
        """Zero and free the namespaces of ``instance`` on this host."""
        mine = [ns.as_dict() for ns in
                pmem_obj.PmemNamespaceList.get_by_instance(
                    context, instance.uuid, host=self.host)]
        if mine:
            pmem_copy.zero(mine, self.driver)
            pmem_obj.PmemNamespaceList.release(
                context, self.host, [ns['name'] for ns in mine])

    @wrap_instance_event(prefix='compute')
    def terminate_instance(self, context, instance):
        self.driver.destroy(instance.as_guest())
        self._free_pmem(context, instance)
        self.volumes.release_volumes(context, instance)
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
        # The guest's volumes came with it: this host serves them now,
        # before anyone sees the server here.
        self.volumes.take_over(context, instance)
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

    # -- live migration: runtime controls (RPC 1.2) ------------------------
    @messaging.expected_exceptions(exception.MigratorException)
    @wrap_instance_event(prefix='compute')
    def live_migration_set_max_downtime(self, context, instance,
                                        migration_id, milliseconds):
        self.live_migrations.set_max_downtime(migration_id, milliseconds)

    @messaging.expected_exceptions(exception.MigratorException)
    @wrap_instance_event(prefix='compute')
    def live_migration_set_bandwidth(self, context, instance, migration_id,
                                     mib_per_s):
        self.live_migrations.set_bandwidth(migration_id, mib_per_s)

    @messaging.expected_exceptions(exception.MigratorException)
    @wrap_instance_event(prefix='compute')
    def live_migration_switch_to_post_copy(self, context, instance,
                                           migration_id):
        self.live_migrations.switch_to_post_copy(migration_id)

    # -- cold migration and resize (migrator.compute.resize) ---------------
    def _move(self, context, instance, migration):
        return resize_common.Move(self.cold, context, instance, migration)

    @messaging.expected_exceptions(exception.MigratorException)
    def prep_resize(self, context, instance, flavor, migration,
                    copy_pmem_devices=False):
        resize_prep.prep_resize(self._move(context, instance, migration),
                                flavor, copy_pmem_devices)

    def resize_instance(self, context, instance, migration):
        resize_source.resize_instance(
            self._move(context, instance, migration))

    def finish_resize(self, context, instance, migration):
        resize_finish.finish_resize(self._move(context, instance, migration))

    @messaging.expected_exceptions(exception.MigratorException)
    def cleanup_resize_at_destination(self, context, instance, migration):
        move = self._move(context, instance, migration)
        move.run_step('compute_cleanup_resize_at_destination',
                      lambda: resize_cleanup.cleanup_at_destination(move))

    def confirm_resize(self, context, instance, migration):
        resize_confirm.confirm_resize(
            self._move(context, instance, migration))

    def revert_resize(self, context, instance, migration):
        resize_revert.revert_resize(self._move(context, instance, migration))

    def finish_revert_resize(self, context, instance, migration):
        resize_revert.finish_revert_resize(
            self._move(context, instance, migration))
