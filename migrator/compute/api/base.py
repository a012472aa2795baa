"""What every part of the compute API shares: its RPC clients, the
cells it works across, and the lock and state checks of server actions."""
import copy
import functools
import operator
import threading
import time

from oslo_config import cfg
from oslo_log import log as logging

from migrator import cells
from migrator.compute.api import cell_workers
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
        """[(cell, func(context in cell))] for every cell that answers,
        asked at once (``gather_cells``); a cell that fails or does not
        answer in time is logged and left out, as Nova leaves out a down
        cell's records."""
        cells = self.cells(context, include_cell0)
        answers = gather_cells(context, cells,
                               lambda cctxt, cell: func(cctxt))
        return [(cell, answers[cell.uuid]) for cell in cells
                if answers[cell.uuid] not in (DID_NOT_RESPOND, RAISED)]

    def _merge_cells(self, context, fetch, what, sort_key, sort_dir,
                     limit=None, marker=None, marker_cell=None,
                     marker_key=None, build=None, tag=True, cells=None):
        """The rows of every cell, merged in (sort_key, cell, id) order,
        the page after ``marker``: a ``CellResults`` list whose
        ``down_cells`` are the cells that did not answer (logged, their
        rows left out).

        ``fetch(cctxt, limit, marker, after)`` lists one cell's rows as
        one keyset query: after the uuid ``marker`` in the marker's own
        cell, after the edge ``after`` (the marker's sort key, and where
        its cell stands among the cells) in the others. So each cell
        reads at most ``limit`` rows, whatever the page; the cells are
        asked at once, a thread each, for at most CELL_TIMEOUT s.

        With ``build(cctxt, row)``, ``fetch`` gives database rows and only
        the rows of the page are made objects: with N cells a page reads
        up to N x limit rows, and making an object costs far more than
        sorting a row (GET /os-migrations,
        benchmarks/bench_os_migrations_paging.py). Each result knows its
        cell (``_cell``, ``_cell_index``) unless ``tag`` is false (plain
        database rows, which take no attributes). ``cells``: the cells
        to ask, if the caller has read them already."""
        if cells is None:
            cells = self.cells(context)
        index = {cell.uuid: n for n, cell in enumerate(cells)}
        marker_index = index.get(marker_cell.uuid) if marker_cell else None

        def one(cctxt, cell):
            if marker is None:
                return list(fetch(cctxt, limit, None, None))
            if index[cell.uuid] == marker_index:
                return list(fetch(cctxt, limit, marker, None))
            return list(fetch(cctxt, limit, None, CellEdge(
                sort_key, marker_key, index[cell.uuid], marker_index)))

        answers = gather_cells(context, cells, one)
        merged = []
        down_cells = []
        for cell in cells:
            rows = answers[cell.uuid]
            if rows is DID_NOT_RESPOND or rows is RAISED:
                LOG.warning('Cell %s did not answer in time or failed; its '
                            '%s are left out', cell.identity, what)
                down_cells.append(cell)
                continue
            n = index[cell.uuid]
            if not rows:
                continue
            key = _reader(rows[0], sort_key, 'id')
            merged.extend(((sort_value(value), n, id_), cell, row)
                          for row, (value, id_) in zip(rows, map(key, rows)))
        merged.sort(key=lambda entry: entry[0],
                    reverse=(sort_dir == 'desc'))
        if limit is not None:
            del merged[limit:]
        results = CellResults()
        results.down_cells = down_cells
        if not tag:
            results.extend(row for _key, _cell, row in merged)
            return results
        cell_contexts = {}
        for (_key, n, _id), cell, row in merged:
            if build is not None:
                cctxt = cell_contexts.get(cell.uuid)
                if cctxt is None:
                    cctxt = cell_contexts[cell.uuid] = copy.copy(context)
                    cctxt.cell_uuid = cell.uuid
                row = build(cctxt, row)
            row._cell = cell
            row._cell_index = n
            results.append(row)
        return results

    def _host_cell(self, context, host):
        try:
            return host_mapping_obj.HostMapping.get_by_host(
                context, host).cell_mapping
        except exception.HostMappingNotFound:
            raise exception.ComputeHostNotFound(host=host)

    @staticmethod
    def _check_same_cell(instance, host, host_cell):
        """A server moves only within its cell (400 otherwise, as a
        host Nova cannot reach from the server's cell)."""
        if host_cell.uuid != instance._cell.uuid:
            raise exception.CrossCellMoveNotSupported(
                host=host, instance_uuid=instance.uuid,
                reason='the host is in cell %s, the server in cell %s, and '
                       'servers do not move between cells'
                % (host_cell.identity, instance._cell.identity))

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


# How long a cell may take to answer a cross-cell list (Nova's
# CELL_TIMEOUT): a cell that has not answered by then is reported down.
CELL_TIMEOUT = 60

# What gather_cells records for a cell that did not answer in time, or
# whose query failed.
DID_NOT_RESPOND = object()
RAISED = object()


class CellResults(list):
    """Rows merged from several cells; ``down_cells`` did not answer."""

    def __init__(self, *args):
        super().__init__(*args)
        self.down_cells = []


def gather_cells(context, cells, func, timeout=None):
    """{cell uuid: func(context targeted at the cell, cell)}, each cell in
    a thread of its own (a kept worker, ``cell_workers``), waiting at
    most ``timeout`` (CELL_TIMEOUT) s in all. A cell that has not
    answered by then maps to DID_NOT_RESPOND; one whose call failed to
    RAISED (logged), except that a MigratorException (bad input, a
    missing marker) is raised here."""
    timeout = CELL_TIMEOUT if timeout is None else timeout
    answers = {cell.uuid: DID_NOT_RESPOND for cell in cells}
    done = {cell.uuid: threading.Event() for cell in cells}

    def work(cell):
        cctxt = copy.copy(context)
        cctxt.cell_uuid = cell.uuid
        try:
            answers[cell.uuid] = func(cctxt, cell)
        except exception.MigratorException as exc:
            answers[cell.uuid] = exc
        except Exception:
            LOG.warning('Cell %s failed to answer', cell.identity,
                        exc_info=True)
            answers[cell.uuid] = RAISED
        finally:
            done[cell.uuid].set()

    for cell in cells:
        cell_workers.WORKERS.submit(functools.partial(work, cell))
    deadline = time.monotonic() + timeout
    for cell in cells:
        done[cell.uuid].wait(max(0.0, deadline - time.monotonic()))
    answers = dict(answers)
    for answer in answers.values():
        if isinstance(answer, exception.MigratorException):
            raise answer
    return answers


def in_cell(context, cell, func, timeout=None):
    """func(context targeted at ``cell``) with the cross-cell timeout:
    CellDown when the cell fails or does not answer in time."""
    answer = gather_cells(context, [cell], lambda cctxt, c: func(cctxt),
                          timeout)[cell.uuid]
    if answer is DID_NOT_RESPOND or answer is RAISED:
        raise exception.CellDown(cell=cell.identity)
    return answer


class CellEdge:
    """A keyset edge for a cell other than the marker's: rows after the
    marker in (sort key, cell, id) order. Its ``id`` makes the cell's rows
    whose sort key equals the marker's come before the marker (id past
    every row) or after it (id 0), by where the cell stands."""
    BEYOND = 2 ** 62

    def __init__(self, sort_key, marker_key, cell_index, marker_index):
        setattr(self, sort_key, marker_key)
        # Ascending, a later cell's equal keys follow the marker (id > 0
        # takes them all) and an earlier one's precede it (no id is >
        # BEYOND); descending, the other way round: id < 0 takes none of
        # a later cell's, id < BEYOND all of an earlier one's.
        self.id = 0 if cell_index > marker_index else self.BEYOND


def migration_by_marker(context, marker):
    """The migration a list marker names: its uuid (Nova's marker), or
    its integer id, which openstacksdk sends when it asks for one more
    page after the last (the first cell with that id wins)."""
    if str(marker).isdigit():
        return migration_obj.Migration.get_by_id(context, int(marker))
    return migration_obj.Migration.get_by_uuid(context, marker)


def _reader(item, *names):
    """A function giving the ``names`` of ``item`` and of every item like
    it: by position for a database row (the rows of one statement share
    their columns; a row's attribute costs ten times as much), by
    attribute for an object."""
    fields = getattr(item, '_fields', None)
    if fields is None:
        return operator.attrgetter(*names)
    return operator.itemgetter(*[fields.index(name) for name in names])


def sort_value(value):
    # None sorts first, as in SQL's ascending order on most backends.
    return (value is not None, value if value is not None else 0)


def after_marker(value, marker_value, sort_dir):
    if sort_dir == 'desc':
        return sort_value(value) < sort_value(marker_value)
    return sort_value(value) > sort_value(marker_value)
