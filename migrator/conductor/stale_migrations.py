"""Expire live migrations whose pre-checks never finished.

The API writes the Migration ("accepted") and claims the server's task
before it asks the conductor, so that a crash leaves records, not silence.
If the conductor died mid-check, or the API's blocking call timed out,
those records would hold the server in MIGRATING for ever. A migration
still "accepted" long after its last update (longer than any pre-check
call may take) is marked "error" and its server released; the compute
refuses a hand-off that arrives for it later.
"""
import copy
import datetime

from oslo_log import log as logging
from oslo_utils import timeutils

from migrator import exception
from migrator import interrupted
from migrator.objects import cell_mapping as cell_obj
from migrator.objects import instance as instance_obj
from migrator.objects import migration as migration_obj

LOG = logging.getLogger(__name__)


def expire_in_every_cell(context, timeout):
    """``expire`` in each cell of the API database's cell mappings (not
    cell0, which holds no migration), or in this service's own cell
    database when it has no API database (a cell conductor). A cell that
    fails is logged and the others still checked. Returns the total."""
    try:
        cells = [cell for cell in
                 cell_obj.CellMappingList.get_all(context)
                 if not cell.is_cell0]
    except exception.ConfigurationError:
        return expire(context, timeout)
    total = 0
    for cell in cells:
        cctxt = copy.copy(context)
        cctxt.cell_uuid = cell.uuid
        try:
            total += expire(cctxt, timeout)
        except Exception:
            LOG.warning('Could not check cell %s for stale live '
                        'migrations', cell.identity, exc_info=True)
    return total


def expire(context, timeout):
    """Expire the stale accepted live migrations; return how many."""
    cutoff = timeutils.utcnow() - datetime.timedelta(seconds=timeout)
    stale = migration_obj.MigrationList.get_by_filters(
        context, {'status': ['accepted'],
                  'migration_type': 'live-migration',
                  'untouched-since': cutoff})
    expired = 0
    for migration in stale:
        migration.status = 'error'
        if not migration.save(expected_status=['accepted']):
            continue  # it moved on meanwhile
        expired += 1
        LOG.warning('Live migration %s of %s was still accepted %d s after '
                    'its last update; marked error', migration.uuid,
                    migration.instance_uuid, timeout)
        _release(context, migration.instance_uuid)
        interrupted.close_action(
            context, migration, 'expired: still accepted %d s after its '
            'last update' % timeout)
    return expired


def _release(context, instance_uuid):
    try:
        instance = instance_obj.Instance.get_by_uuid(context, instance_uuid)
    except exception.InstanceNotFound:
        return
    if instance.task_state != instance_obj.MIGRATING:
        return
    instance.task_state = None
    try:
        instance.save(expected_task_state=[instance_obj.MIGRATING])
    except exception.UnexpectedTaskStateError:
        pass
