"""Revert: the move is undone. The destination removes the guest and
zeroes and frees its new namespaces, then the source starts the guest
again with its old flavor and its original namespaces, never written.

The destination's clean-up is carried through even if removing the guest
fails (the event records the error and the Migration ends ``error``): the
server always ends on its source with its data."""
from oslo_log import log as logging

from migrator.compute.resize import cleanup
from migrator.compute.resize import finish
from migrator.objects import instance as instance_obj

LOG = logging.getLogger(__name__)


def revert_resize(move):
    """On the destination."""
    instance = move.instance
    migration = move.migration
    mctx = move.mctx
    failed = []

    def step():
        new = mctx.new_pmem if mctx is not None else []
        guest = move.guest(flavor=mctx.new_flavor if mctx else None,
                           namespaces=new)
        try:
            move.driver.revert_migration(guest)
        except Exception as exc:
            failed.append(exc)
            LOG.error('Removing the guest of %s from %s failed: %s; '
                      'its namespaces are cleaned all the same',
                      instance.uuid, move.host, exc)
        cleanup.release_destination(move, finish.claimed_here(move))
        move.compute.refresh(move.context)
        if failed:
            raise failed[0]

    try:
        move.run_step('compute_revert_resize', step)
    except Exception:
        migration.status = 'error'
    move.compute.compute_rpcapi.finish_revert_resize(move.context,
                                                     instance, migration)


def finish_revert_resize(move):
    """On the source (after a revert, or a failed finish_resize, whose
    Migration arrives with status ``error``)."""
    instance = move.instance
    migration = move.migration
    status = 'error' if migration.status == 'error' else 'reverted'

    def step():
        cleanup.restore_at_source(move, status)

    def rollback(exc):
        move.record_fault(exc)
        move.set_status('error')
        instance.vm_state = instance_obj.ERROR
        instance.task_state = None
        instance.save()

    try:
        move.run_step('compute_finish_revert_resize', step, rollback)
    except Exception:
        return
