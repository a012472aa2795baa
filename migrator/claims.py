"""Claims on a compute host's room that cannot overfill it.

A host's usage is derived (``capacity``): its instances plus the
unfinished migrations coming to it. A claim is the write that adds to it:
a migration's destination, or a new instance's host. Read free room in
one transaction and write the claim in another, and two claims made at
once both see the same last room and both take it.

So a claim checks and writes in one writer transaction of the cell
database, having first locked the host's compute node rows: claims on
one host take turns, and each sees the others' claims. The lock is an
UPDATE that changes nothing, as it locks on every backend (a SELECT ...
FOR UPDATE is a plain read on SQLite, whose writer transactions take
the database's write lock instead). It comes before any read of the
transaction: InnoDB's REPEATABLE READ fixes a transaction's snapshot at
its first read, which would then miss a claim committed while it waited.
The lock is held for the check and the write only, never across an RPC
call.
"""
from oslo_db import api as oslo_db_api
import sqlalchemy as sa

from migrator import capacity
from migrator.db.main import models
from migrator.db import session
from migrator import exception
from migrator.objects import instance as instance_obj

_NODES = models.ComputeNode.__table__

# Usage is counted per host, so every node of the host is locked.
_LOCK_HOST = sa.update(_NODES).where(
    _NODES.c.host == sa.bindparam('b_host'), _NODES.c.deleted == 0,
).values(updated_at=_NODES.c.updated_at)


def _lock_host(db, host):
    if db.connection().execute(_LOCK_HOST, {'b_host': host}).rowcount < 1:
        raise exception.ComputeHostNotFound(host=host)


@oslo_db_api.wrap_db_retry(max_retries=3, retry_interval=0.2,
                           retry_on_deadlock=True)
def claim_for_migration(migration, node, flavor, expected_status):
    """Make ``node`` the destination of ``migration`` if ``flavor`` fits
    there now, and only if the migration's status is still one of
    ``expected_status``. Raises InsufficientResources (or
    ComputeHostNotFound) if it does not fit; returns False, writing
    nothing, if the migration moved on meanwhile."""
    # The object's own context: its save must join this transaction (on
    # SQLite another one would wait for this one's lock).
    context = migration._context
    with session.writer(context) as db:
        _lock_host(db, node.host)
        capacity.check_fits(context, node, flavor)
        migration.dest_compute = node.host
        migration.dest_node = node.hypervisor_hostname
        migration.dest_host = node.host_ip or node.host
        return migration.save(expected_status=expected_status)


@oslo_db_api.wrap_db_retry(max_retries=3, retry_interval=0.2,
                           retry_on_deadlock=True)
def claim_for_build(instance, node):
    """Give ``instance`` (being scheduled) ``node`` as its host, with the
    task ``spawning``, if its flavor fits there now. Raises
    InsufficientResources (or ComputeHostNotFound) if it does not fit,
    UnexpectedTaskStateError if the instance is no longer scheduling."""
    context = instance._context
    with session.writer(context) as db:
        _lock_host(db, node.host)
        capacity.check_fits(context, node, instance.flavor)
        instance.host = node.host
        instance.node = node.hypervisor_hostname
        instance.task_state = instance_obj.SPAWNING
        instance.save(expected_task_state=[instance_obj.SCHEDULING])
