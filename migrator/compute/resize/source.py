"""Source, second step: power the guest off, copy its PMEM namespaces to
the destination when asked, and hand over to the destination.

Any failure (the copy, its checksum, the power-off, a shutdown that
cancels the copy) ends the move here: the destination zeroes and frees
what it claimed, the guest runs again on this host with its data as it
was (the source namespaces are only ever read), and the Migration is
``error`` with the reason in the ``compute_resize_instance`` event.
"""
import threading

from oslo_log import log as logging

from migrator.compute.resize import cleanup
from migrator.compute.resize import pmem_copy
from migrator.objects import compute_node as compute_node_obj
from migrator.objects import instance as instance_obj

LOG = logging.getLogger(__name__)


def resize_instance(move):
    instance = move.instance
    migration = move.migration
    mctx = move.mctx
    if mctx is None:
        LOG.warning('Migration %s of %s has no context any more; not '
                    'starting it', migration.uuid, instance.uuid)
        return
    cancel = threading.Event()
    move.compute.cancels[migration.uuid] = cancel

    def step():
        move.set_status('migrating')
        instance.task_state = instance_obj.RESIZE_MIGRATING
        instance.save(expected_task_state=[instance_obj.RESIZE_PREP])
        guest = move.guest(namespaces=mctx.old_pmem)
        move.driver.power_off(guest)
        instance.power_state = move.driver.get_power_state(guest)
        instance.save()
        if mctx.copy_pmem_devices and mctx.old_pmem:
            pairs = list(zip(mctx.old_pmem, mctx.new_pmem))
            pmem_copy.copy_all(pairs, destination_address(move),
                               migration, cancel, move.driver)
        move.set_status('post-migrating')
        instance.task_state = instance_obj.RESIZE_MIGRATED
        instance.save(expected_task_state=[instance_obj.RESIZE_MIGRATING])

    def rollback(exc):
        # Cancelled because this service is stopping: its peers may be
        # stopping too, so the destination is not waited on; it zeroes
        # and frees its claims itself (recovery.reap_claims).
        cleanup.abort_move(move, exc, tell_destination=not cancel.is_set())

    try:
        move.run_step('compute_resize_instance', step, rollback)
    except Exception:
        return
    finally:
        move.compute.cancels.pop(migration.uuid, None)
    move.compute.compute_rpcapi.finish_resize(move.context, instance,
                                              migration)


def destination_address(move):
    """Where the destination's namespaces are reached: None when both
    hosts are one machine (the destination records no address of its
    own, or the same as this host's), else its address, over SSH."""
    ctx = move.context
    migration = move.migration
    dest = compute_node_obj.ComputeNode.get_by_host_and_nodename(
        ctx, migration.dest_compute, migration.dest_node)
    if not dest.host_ip:
        return None
    source = compute_node_obj.ComputeNode.get_by_host_and_nodename(
        ctx, migration.source_compute, migration.source_node)
    if source.host_ip == dest.host_ip:
        return None
    return dest.host_ip
