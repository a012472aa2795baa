"""Ending a move that failed or is reverted: the destination zeroes and
frees what it claimed, the source gets its guest back."""
from oslo_log import log as logging

from migrator.compute.resize import common
from migrator.compute.resize import pmem_copy
from migrator.compute import volume_swap
from migrator.objects import instance as instance_obj
from migrator.objects import pmem_namespace as pmem_obj

LOG = logging.getLogger(__name__)


def release_destination(move, namespaces):
    """On the destination: zero the namespaces claimed for the move and
    free them. A namespace that cannot be zeroed stays claimed (its data
    must not go to another guest); the error is raised."""
    names = [ns['name'] for ns in namespaces]
    try:
        pmem_copy.zero(namespaces, move.driver)
    except Exception:
        LOG.error('PMEM namespaces %s of %s stay claimed: they could not '
                  'be zeroed', ', '.join(names), move.host)
        raise
    pmem_obj.PmemNamespaceList.release(move.context, move.host, names)


def cleanup_at_destination(move):
    """On the destination after a failure: remove a guest defined here
    and zero and free the namespaces claimed for the move."""
    guest = move.guest()
    if move.instance.uuid in move.driver.list_instance_uuids():
        move.driver.destroy(guest)
    claimed = pmem_obj.PmemNamespaceList.get_by_migration(
        move.context, move.migration.uuid)
    release_destination(move, [ns.as_dict() for ns in claimed
                               if ns.host == move.host])
    move.compute.refresh(move.context)


def abort_move(move, exc, tell_destination=True):
    """On the source after a failed step: have the destination clean up,
    then bring the guest back here as it was."""
    try:
        if tell_destination:
            move.compute.compute_rpcapi.cleanup_resize_at_destination(
                move.context, move.instance, move.migration)
    except Exception as cleanup_exc:
        # The destination cleans what is left when it next looks
        # (recovery.reap_claims).
        LOG.error('The destination %s could not clean up after migration '
                  '%s: %s', move.migration.dest_compute,
                  move.migration.uuid, cleanup_exc)
    restore_at_source(move, status='error')


def restore_at_source(move, status):
    """On the source: the instance is here again with its old flavor and
    namespaces, running if it ran before; the Migration ends with
    ``status`` and its context goes."""
    instance = move.instance
    mctx = move.mctx
    old_vm_state = (mctx.old_vm_state if mctx is not None
                    else instance_obj.ACTIVE)
    if mctx is not None and mctx.old_flavor is not None:
        common.apply_flavor(instance, mctx.old_flavor)
    old_pmem = mctx.old_pmem if mctx is not None else []
    guest = move.guest(namespaces=old_pmem)
    if common.power_state_after(old_vm_state):
        move.driver.power_on(guest)
    # Its volumes are this host's again.
    volume_swap.take_over_attachments(move.context, move.host, move.driver,
                                      instance)
    instance.host = move.host
    instance.node = move.migration.source_node
    instance.vm_state = old_vm_state
    instance.task_state = None
    instance.power_state = common.guest_power_state(move.driver, guest)
    instance.progress = None
    if mctx is not None:
        mctx.destroy()
    # The Migration first: whoever sees the server settled sees the move
    # ended.
    move.set_status(status)
    instance.save()
    move.compute.refresh(move.context)
    LOG.info('%s of %s ended %s: the guest is on %s with its data',
             move.migration.migration_type, instance.uuid, status,
             move.host)
