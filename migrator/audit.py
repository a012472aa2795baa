"""Audit the databases for work that nothing will finish.

Four checks, each set-based over one cell database at a time (and the API
database for the mappings):

* ``task``: an instance with a task state but no live workflow: migrating
  without an unfinished migration whose owner is up, or any other task on
  a host whose compute service is down (no host: no conductor up);
* ``migration``: an unfinished migration whose owner is down (a
  conductor for ``accepted``, the source compute while it transfers, the
  destination while it reverts);
* ``claim``: an unfinished migration (a claim on its destination) whose
  instance is gone;
* ``mapping``: an instance mapping whose instance is not in its cell.

``run(context)`` returns the findings as ``Finding`` tuples; nothing is
changed.
"""
import collections

import sqlalchemy as sa

from migrator import context as migrator_context
from migrator.db.api import models as api_models
from migrator.db.main import models
from migrator.db import session
from migrator.objects import cell_mapping as cell_obj
from migrator.objects import migration as migration_obj
from migrator.objects import service as service_obj

Finding = collections.namedtuple('Finding', 'check cell subject detail')

# Statuses that wait on a person, not on a service (confirm or revert).
WAITING_ON_USER = ('finished',)
DEST_OWNED = ('reverting',)


class _Owners:
    """Which services of one cell are up."""

    def __init__(self, context):
        services = service_obj.ServiceList.get_all(context)
        self.up = {(s.host, s.binary) for s in services if s.is_up}
        self.conductor_up = any(b == 'migrator-conductor'
                                for _, b in self.up)

    def compute_up(self, host):
        return (host, 'migrator-compute') in self.up

    def migration_owner(self, status, source, dest):
        """(owner name, up?) of an unfinished migration."""
        if status == 'accepted':
            return 'a conductor', self.conductor_up
        host = dest if status in DEST_OWNED else source
        return 'compute %s' % host, self.compute_up(host)


def _unfinished():
    return [s for s in migration_obj.NOT_FINISHED
            if s not in WAITING_ON_USER]


def audit_cell(context, cell_name):
    findings = []
    owners = _Owners(context)
    mig = models.Migration
    inst = models.Instance
    with session.reader(context) as db:
        migrations = db.execute(sa.select(
            mig.uuid, mig.instance_uuid, mig.status, mig.source_compute,
            mig.dest_compute, inst.uuid, inst.deleted).outerjoin(
                inst, inst.uuid == mig.instance_uuid).where(
                mig.deleted == 0,
                mig.status.in_(_unfinished()))).all()
        tasks = db.execute(sa.select(
            inst.uuid, inst.task_state, inst.host).where(
                inst.deleted == 0, inst.task_state.is_not(None))).all()
    live_workflow = set()
    for (uuid, instance_uuid, status, source, dest, found,
         deleted) in migrations:
        owner, up = owners.migration_owner(status, source, dest)
        if up:
            live_workflow.add(instance_uuid)
        else:
            findings.append(Finding(
                'migration', cell_name, 'migration %s' % uuid,
                '%s with its owner (%s) down' % (status, owner)))
        if dest and (found is None or deleted):
            findings.append(Finding(
                'claim', cell_name, 'migration %s' % uuid,
                'claims %s for instance %s, which does not exist'
                % (dest, instance_uuid)))
    for uuid, task_state, host in tasks:
        if task_state == 'migrating':
            ok = uuid in live_workflow
            why = 'no unfinished migration with a live owner'
        elif host:
            ok = owners.compute_up(host)
            why = 'its compute %s is down' % host
        else:
            ok = owners.conductor_up
            why = 'no conductor is up'
        if not ok:
            findings.append(Finding('task', cell_name, 'instance %s' % uuid,
                                    'task %s but %s' % (task_state, why)))
    return findings


def audit_mappings(context, cell, cell_context):
    """Mappings into ``cell`` whose instance is not in its database (not
    even deleted)."""
    mapping = api_models.InstanceMapping
    with session.api_reader(context) as db:
        mapped = set(db.scalars(sa.select(mapping.instance_uuid).where(
            mapping.cell_id == cell.id)).all())
    if not mapped:
        return []
    with session.reader(cell_context) as db:
        present = set(db.scalars(sa.select(models.Instance.uuid)).all())
    return [Finding('mapping', cell.name, 'instance %s' % uuid,
                    'mapped to %s but not in its database' % cell.name)
            for uuid in sorted(mapped - present)]


def run(context=None):
    """Every finding in every cell (cell0 included)."""
    context = context or migrator_context.get_admin_context()
    findings = []
    for cell in cell_obj.CellMappingList.get_all(context):
        cctxt = migrator_context.get_admin_context()
        with migrator_context.target_cell(cctxt, cell):
            if cell.uuid != cell_obj.CELL0_UUID:
                findings.extend(audit_cell(cctxt, cell.name))
            findings.extend(audit_mappings(context, cell, cctxt))
    return findings
