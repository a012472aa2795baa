"""What every part of the compute API shares: its RPC clients, the
cells it works across, and the lock and state checks of server actions."""
from oslo_config import cfg
from oslo_log import log as logging

from migrator import cells
from migrator import context as migrator_context
from migrator import exception
from migrator.objects import cell_mapping as cell_obj
from migrator.objects import host_mapping as host_mapping_obj
from migrator.objects import instance as instance_obj
from migrator.objects import migration as migration_obj
from migrator.rpcapi import compute as compute_rpcapi
from migrator.rpcapi import conductor as conductor_rpcapi

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

COMPUTE_BINARY = 'migrator-compute'

# Live migration: the states it starts from, and its instance action.
LIVE_MIGRATE_VM_STATES = (instance_obj.ACTIVE, instance_obj.PAUSED)
LIVE_MIGRATION_ACTION = 'live-migration'


def default_cell(context):
    """The cell new instances go to (see ``migrator.cells``)."""
    return cells.get_default_cell(context)


class APIBase:

    def __init__(self):
        self._conductor = None
        self._compute = None

    @property
    def conductor_rpcapi(self):
        if self._conductor is None:
            self._conductor = conductor_rpcapi.ConductorAPI()
        return self._conductor

    @property
    def compute_rpcapi(self):
        if self._compute is None:
            self._compute = compute_rpcapi.ComputeAPI()
        return self._compute

    # -- cells ------------------------------------------------------------
    @staticmethod
    def cells(context, include_cell0=True):
        return [cell for cell in cell_obj.CellMappingList.get_all(context)
                if include_cell0 or not cell.is_cell0]

    def _each_cell(self, context, func, include_cell0=False):
        """[(cell, func(context in cell))] for every cell that answers;
        a cell whose database fails is logged and left out, as Nova
        leaves out a down cell's records."""
        results = []
        for cell in self.cells(context, include_cell0):
            try:
                with migrator_context.target_cell(context, cell) as cctxt:
                    results.append((cell, func(cctxt)))
            except exception.MigratorException:
                raise
            except Exception:
                LOG.warning('Cell %s did not answer; its records are left '
                            'out', cell.identity, exc_info=True)
        return results

    def _merge_cells(self, context, fetch, what, sort_key, sort_dir,
                     limit=None, marker=None, marker_cell=None,
                     marker_key=None):
        """The rows of every cell, merged in (sort_key, id) order, the page
        after ``marker``. ``fetch(cctxt, limit, marker)`` lists one cell's
        rows. The marker's own cell pages in its database; another cell's
        rows are compared with the marker's sort key here, since ids of
        different cells do not compare. Each row is tagged with its cell
        (``_cell``); a cell that does not answer is left out, logged."""
        results = []
        for cell in self.cells(context):
            in_marker_cell = (marker_cell is not None and
                              cell.uuid == marker_cell.uuid)
            paged = marker is None or in_marker_cell
            try:
                with migrator_context.target_cell(context, cell) as cctxt:
                    rows = list(fetch(cctxt, limit if paged else None,
                                      marker if in_marker_cell else None))
            except exception.MigratorException:
                raise
            except Exception:
                LOG.warning('Cell %s did not answer; its %s are left out',
                            cell.identity, what, exc_info=True)
                continue
            if not paged:
                rows = [r for r in rows
                        if after_marker(getattr(r, sort_key), marker_key,
                                        sort_dir)]
            for row in rows:
                row._cell = cell
            results.extend(rows)
        results.sort(key=lambda r: (sort_value(getattr(r, sort_key)), r.id),
                     reverse=(sort_dir == 'desc'))
        return results[:limit] if limit is not None else results

    def _host_cell(self, context, host):
        try:
            return host_mapping_obj.HostMapping.get_by_host(
                context, host).cell_mapping
        except exception.HostMappingNotFound:
            raise exception.ComputeHostNotFound(host=host)

    @staticmethod
    def _check_lock(context, instance):
        if instance.locked and not context.is_admin:
            raise exception.InstanceIsLocked(instance_uuid=instance.uuid)

    @staticmethod
    def _check_state(instance, method, vm_states=None, task_states=None):
        if vm_states is not None and instance.vm_state not in vm_states:
            raise exception.InstanceInvalidState(
                instance_uuid=instance.uuid, attr='vm_state',
                state=instance.vm_state, method=method)
        if task_states is not None and \
                instance.task_state not in task_states:
            raise exception.InstanceInvalidState(
                instance_uuid=instance.uuid, attr='task_state',
                state=instance.task_state, method=method)


def migration_by_marker(context, marker):
    """The migration a list marker names: its uuid (Nova's marker), or
    its integer id, which openstacksdk sends when it asks for one more
    page after the last (the first cell with that id wins)."""
    if str(marker).isdigit():
        return migration_obj.Migration.get_by_id(context, int(marker))
    return migration_obj.Migration.get_by_uuid(context, marker)


def sort_value(value):
    # None sorts first, as in SQL's ascending order on most backends.
    return (value is not None, value if value is not None else 0)


def after_marker(value, marker_value, sort_dir):
    if sort_dir == 'desc':
        return sort_value(value) < sort_value(marker_value)
    return sort_value(value) > sort_value(marker_value)
