"""Confirm (source): the move is kept. The stopped guest left here for a
revert is removed and its old namespaces zeroed and freed; the namespaces
on the destination now simply belong to the instance."""
from oslo_log import log as logging

from migrator.compute.resize import pmem_copy
from migrator import exception
from migrator.objects import instance as instance_obj
from migrator.objects import pmem_namespace as pmem_obj

LOG = logging.getLogger(__name__)


def confirm_resize(move):
    instance = move.instance
    migration = move.migration
    mctx = move.mctx

    def step():
        old = mctx.old_pmem if mctx is not None else []
        new = mctx.new_pmem if mctx is not None else []
        move.driver.confirm_migration(move.guest(namespaces=old))
        if old:
            pmem_copy.zero(old, move.driver)
            pmem_obj.PmemNamespaceList.release(
                move.context, move.host, [ns['name'] for ns in old])
        pmem_obj.PmemNamespaceList.adopt(
            move.context, migration.dest_compute,
            [ns['name'] for ns in new])
        if mctx is not None:
            old_vm_state = mctx.old_vm_state
            mctx.destroy()
        else:
            old_vm_state = instance_obj.ACTIVE
        # The Migration first: whoever sees the server settled sees the
        # move ended.
        move.set_status('confirmed')
        try:
            instance.refresh()
        except exception.InstanceNotFound:
            return      # confirmed because it is being deleted
        if instance.vm_state != instance_obj.RESIZED:
            return
        instance.vm_state = (instance_obj.STOPPED
                             if old_vm_state == instance_obj.STOPPED
                             else instance_obj.ACTIVE)
        instance.task_state = None
        instance.save()

    def rollback(exc):
        # Nothing was lost: the guest runs on the destination, and the
        # source's namespaces were zeroed only if the old guest was gone.
        move.record_fault(exc)
        move.set_status('error')
        instance.refresh()
        instance.vm_state = instance_obj.ERROR
        instance.task_state = None
        instance.save()

    try:
        move.run_step('compute_confirm_resize', step, rollback)
    except Exception:
        return
    move.compute.refresh(move.context)
    LOG.info('%s %s of %s confirmed', migration.migration_type,
             migration.uuid, instance.uuid)
