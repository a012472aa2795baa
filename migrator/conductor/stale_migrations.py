"""End migrations whose owner died before the work was handed on.

The API writes the Migration and claims the server's task before it asks
the conductor, so that a crash leaves records, not silence. If the
service that owned the next step died (``kill -9``, a lost host), those
records would hold the server in a task for ever. A periodic check in
every conductor ends them once they are older than
``[conductor] stale_migration_timeout`` seconds (their last update):

=============  ====================  ========================================
status         kind                  ended when
=============  ====================  ========================================
accepted       live migration        older than the timeout (its pre-checks
                                     never finished: a conductor died, or
                                     the API's blocking call timed out)
queued,        live migration        older than the timeout and the source
preparing                            compute's service is down (it took the
                                     hand-off, then died; it may never
                                     come back)
pre-migrating  cold migration,       older than the timeout (the conductor
               resize                died choosing or asking the
                                     destination), once a destination it
                                     named has dropped its claim; a
                                     destination that is down drops it
                                     when it restarts
=============  ====================  ========================================

Each is marked ``error`` with a compare-and-swap on its status (whoever
moved it on meanwhile wins), its instance action closed with the reason,
its server given back its state with no task on its source host, and its
destination asked to refresh its usage. A compute refuses a hand-off that
arrives for a migration no longer ``accepted``.
"""
import copy
import datetime

from oslo_db import api as oslo_db_api
from oslo_log import log as logging
from oslo_utils import timeutils

from migrator.db import session
from migrator import exception
from migrator import interrupted
from migrator.objects import cell_mapping as cell_obj
from migrator.objects import instance as instance_obj
from migrator.objects import migration as migration_obj
from migrator.objects import service as service_obj
from migrator.rpcapi import compute as compute_rpcapi

LOG = logging.getLogger(__name__)

#: Live migrations the source compute has taken but not started moving.
SOURCE_PREPARING = ['queued', 'preparing']
COLD = ['migration', 'resize']


def expire_in_every_cell(context, timeout, expire_in_cell=None):
    """``expire`` (or ``expire_in_cell``) in each cell of the API
    database's cell mappings (not cell0, which holds no migration and no
    build), or in this service's own cell database when it has no API
    database (a cell conductor). A cell that fails is logged and the
    others still checked. Returns the total."""
    expire_in_cell = expire_in_cell or expire
    try:
        cells = [cell for cell in
                 cell_obj.CellMappingList.get_all(context)
                 if not cell.is_cell0]
    except exception.ConfigurationError:
        return expire_in_cell(context, timeout)
    total = 0
    for cell in cells:
        cctxt = copy.copy(context)
        cctxt.cell_uuid = cell.uuid
        try:
            total += expire_in_cell(cctxt, timeout)
        except Exception:
            LOG.warning('Could not check cell %s for stale work',
                        cell.identity, exc_info=True)
    return total


def expire(context, timeout, rpcapi=None):
    """End the stale migrations of this cell (see the module's table);
    return how many were ended."""
    cutoff = timeutils.utcnow() - datetime.timedelta(seconds=timeout)
    rpcapi = rpcapi or compute_rpcapi.ComputeAPI()
    expired = 0
    for migration in _stale(context, ['accepted'], ['live-migration'],
                            cutoff):
        expired += _end(context, rpcapi, migration, ['accepted'],
                        instance_obj.MIGRATING,
                        'still accepted %d s after its last update'
                        % timeout)
    down = None
    for migration in _stale(context, SOURCE_PREPARING, ['live-migration'],
                            cutoff):
        if down is None:
            down = _computes_down(context)
        if migration.source_compute not in down:
            continue   # a queue that waits on a live compute is fine
        # The source cannot roll a named destination back: if it
        # returns, its periodic retry does.
        expired += _end(context, rpcapi, migration, SOURCE_PREPARING,
                        instance_obj.MIGRATING,
                        '%s %d s ago on %s, whose compute service is down'
                        % (migration.status, timeout,
                           migration.source_compute),
                        rollback_pending=bool(migration.dest_compute))
    for migration in _stale(context, ['pre-migrating'], COLD, cutoff):
        if migration.dest_compute:
            if down is None:
                down = _computes_down(context)
            if migration.dest_compute in down:
                continue   # its restart ends it (resize recovery)
            if not _cleanup_destination(context, rpcapi, migration):
                continue   # tried again at the next check
        expired += _end(context, rpcapi, migration, ['pre-migrating'],
                        instance_obj.RESIZE_PREP,
                        'still pre-migrating %d s after its last update'
                        % timeout)
    return expired


def _stale(context, statuses, types, cutoff):
    return migration_obj.MigrationList.get_by_filters(
        context, {'status': statuses, 'migration_type': types,
                  'untouched-since': cutoff})


def _computes_down(context):
    return {s.host for s in service_obj.ServiceList.get_all(
        context, binary='migrator-compute') if not s.is_up}


def _end(context, rpcapi, migration, expected, task_state, why,
         rollback_pending=False):
    if not _end_and_release(context, migration, expected, task_state,
                            rollback_pending):
        return 0   # it moved on meanwhile
    LOG.warning('%s %s of %s ended (error): %s',
                migration.migration_type, migration.uuid,
                migration.instance_uuid, why)
    interrupted.close_action(context, migration, 'expired: ' + why)
    interrupted.refresh_destination(context, rpcapi, migration)
    return 1


@oslo_db_api.wrap_db_retry(max_retries=3, retry_interval=0.2,
                           retry_on_deadlock=True)
def _end_and_release(context, migration, expected, task_state,
                     rollback_pending):
    """The migration's compare-and-swap to ``error`` and its server's
    release, in one transaction: ended apart, a failure between the two
    writes left the server in its task with its migration over, and no
    later check would free it. Whether the migration was ended here."""
    with session.writer(context):
        # Set again on each try: a write rolled back has reset them.
        migration.status = 'error'
        if rollback_pending:
            interrupted.mark_rollback_pending(migration)
        if not migration.save(expected_status=expected):
            return False
        interrupted.release_instance(context, migration.instance_uuid,
                                     migration.source_compute, task_state)
    return True


def _cleanup_destination(context, rpcapi, migration):
    """Have the destination of a stale cold migration drop whatever it
    claimed for it; whether it answered."""
    try:
        instance = instance_obj.Instance.get_by_uuid(
            context, migration.instance_uuid)
    except exception.InstanceNotFound:
        return True
    try:
        rpcapi.cleanup_resize_at_destination(context, instance, migration)
    except Exception as exc:
        LOG.warning('Could not have %s drop its claim for stale migration '
                    '%s: %s', migration.dest_compute, migration.uuid, exc)
        return False
    return True
