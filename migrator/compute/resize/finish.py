"""Destination, third step: start the guest with its new flavor and
namespaces; the server waits in VERIFY_RESIZE for confirm or revert.

A failure here ends the move like a failed copy: this host removes the
guest and zeroes and frees its namespaces, and the source starts the
guest again with its data (``finish_revert_resize`` with status
``error``)."""
from oslo_log import log as logging
from oslo_utils import timeutils

from migrator.compute.resize import cleanup
from migrator.compute.resize import common
from migrator.compute import volume_swap
from migrator.objects import instance as instance_obj
from migrator.objects import pmem_namespace as pmem_obj

LOG = logging.getLogger(__name__)


def finish_resize(move):
    instance = move.instance
    migration = move.migration
    mctx = move.mctx
    if mctx is None:
        LOG.warning('Migration %s of %s has no context any more; not '
                    'finishing it', migration.uuid, instance.uuid)
        return

    def step():
        instance.task_state = instance_obj.RESIZE_FINISH
        instance.save(expected_task_state=[instance_obj.RESIZE_MIGRATED])
        guest = move.guest(flavor=mctx.new_flavor,
                           namespaces=mctx.new_pmem)
        move.driver.finish_migration(
            guest, power_on=common.power_state_after(mctx.old_vm_state))
        volume_swap.take_over_attachments(move.context, move.host,
                                          move.driver, instance)
        common.apply_flavor(instance, mctx.new_flavor)
        instance.host = move.host
        instance.node = migration.dest_node
        instance.power_state = common.guest_power_state(move.driver, guest)
        instance.vm_state = instance_obj.RESIZED
        instance.task_state = None
        instance.launched_at = timeutils.utcnow()
        # The Migration first: whoever sees VERIFY_RESIZE can confirm.
        move.set_status('finished')
        instance.save(expected_task_state=[instance_obj.RESIZE_FINISH])

    def rollback(exc):
        try:
            cleanup.cleanup_at_destination(move)
        finally:
            migration.status = 'error'
            instance.task_state = instance_obj.RESIZE_MIGRATED
            move.compute.compute_rpcapi.finish_revert_resize(
                move.context, instance, migration)

    try:
        move.run_step('compute_finish_resize', step, rollback)
    except Exception:
        return
    move.compute.refresh(move.context)
    LOG.info('%s %s of %s finished on %s: VERIFY_RESIZE',
             migration.migration_type, migration.uuid, instance.uuid,
             move.host)


def claimed_here(move):
    return [ns.as_dict() for ns in pmem_obj.PmemNamespaceList.get_by_migration(
        move.context, move.migration.uuid) if ns.host == move.host]
