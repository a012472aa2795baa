"""What a service does with work it cannot finish: a migration cut short
by a stop, a crash or an expiry is ended (status ``error``), its instance
action is closed (the open events Error with the reason, the action's
message Error), the destination is asked to drop its claim, and a
destination roll-back that could not be made is recorded on the
migration for a periodic task to retry.

It sits below the compute and the conductor, which both use it.
"""
from oslo_log import log as logging

from migrator import exception
from migrator.objects import instance as instance_obj
from migrator.objects import instance_action

LOG = logging.getLogger(__name__)

#: progress_detail key: the destination still has to roll back.
ROLLBACK_PENDING = 'rollback_pending'


def close_action(context, migration, reason):
    """Close the open events of the migration's instance action."""
    # The API's action names: a cold migration's is "migrate".
    action = {'live-migration': 'live-migration',
              'migration': 'migrate'}.get(migration.migration_type,
                                          migration.migration_type)
    try:
        closed = instance_action.InstanceAction.close_interrupted(
            context, migration.instance_uuid, action, reason)
    except Exception:
        LOG.exception('Could not close the %s action of %s', action,
                      migration.instance_uuid)
        return 0
    if closed:
        LOG.info('Closed %d open event(s) of the %s action of %s: %s',
                 closed, action, migration.instance_uuid, reason)
    return closed


def mark_rollback_pending(migration, pending=True):
    """Record (or clear) that the destination still has to roll back;
    the caller saves the migration."""
    detail = dict(migration.progress_detail or {})
    if pending:
        detail[ROLLBACK_PENDING] = True
    else:
        detail.pop(ROLLBACK_PENDING, None)
    migration.progress_detail = detail


def rollback_pending(migration):
    return bool((migration.progress_detail or {}).get(ROLLBACK_PENDING))


def release_instance(context, instance_uuid, host=None,
                     task_state=instance_obj.MIGRATING):
    """Give the instance back its state with no task, if it is still in
    ``task_state`` (and, with ``host``, still on that host)."""
    try:
        instance = instance_obj.Instance.get_by_uuid(context, instance_uuid)
    except exception.InstanceNotFound:
        return None
    if instance.task_state != task_state:
        return instance
    if host is not None and instance.host != host:
        return instance
    instance.task_state = None
    instance.progress = None
    try:
        instance.save(expected_task_state=[task_state])
    except exception.UnexpectedTaskStateError:
        pass
    return instance


def refresh_destination(context, compute_rpcapi, migration):
    """Ask the destination to report its usage now: the migration's claim
    ended with its status."""
    if not migration.dest_compute:
        return
    try:
        compute_rpcapi.refresh_resources(context, migration.dest_compute)
    except Exception as exc:
        LOG.warning('Could not ask %s to refresh its usage: %s',
                    migration.dest_compute, exc)
