"""Destination, first step: claim room and PMEM namespaces for the new
flavor, record the migration context, and hand over to the source."""
from oslo_log import log as logging

from migrator import capacity
from migrator import exception
from migrator.objects import compute_node as compute_node_obj
from migrator.objects import pmem_namespace as pmem_obj
from migrator import pmem

LOG = logging.getLogger(__name__)


def prep_resize(move, flavor, copy_pmem_devices):
    """Runs while the conductor waits (an RPC call): a failure here is
    the conductor's to roll back, and it may try another host."""
    instance = move.instance
    migration = move.migration
    node = compute_node_obj.ComputeNode.get_by_host_and_nodename(
        move.context, move.host, migration.dest_node)
    labels = pmem.requested_labels(flavor.extra_specs)
    claimed = []

    def step():
        # The claim of memory, vCPUs and disk is the Migration itself
        # (capacity counts unfinished migrations coming here); check it
        # still fits now that it is counted, then take the namespaces.
        free = capacity.free_capacity(move.context, node)
        _check_fits(move, flavor, free)
        claimed.extend(pmem_obj.PmemNamespaceList.claim(
            move.context, move.host, instance.uuid, labels,
            migration_uuid=migration.uuid))
        old = pmem_obj.PmemNamespaceList.get_by_instance(
            move.context, instance.uuid, host=instance.host)
        old = [ns.as_dict() for ns in old if ns.migration_uuid is None]
        if copy_pmem_devices:
            _check_pairs(old, [ns.as_dict() for ns in claimed])
        mctx = pmem_obj.MigrationContext(
            move.context, instance_uuid=instance.uuid,
            migration_uuid=migration.uuid, old_flavor=instance.flavor,
            new_flavor=flavor, old_pmem=old,
            new_pmem=[ns.as_dict() for ns in claimed],
            copy_pmem_devices=bool(copy_pmem_devices),
            old_vm_state=instance.vm_state)
        mctx.create()
        for ns in claimed:
            LOG.info('Instance %s has PMEM namespace %s (%s, %s)',
                     instance.uuid, ns.name, ns.label, ns.devpath)
        LOG.info('Claimed %s on %s for %s of %s (PMEM %s)', flavor.name,
                 move.host, migration.migration_type, instance.uuid,
                 ', '.join(ns.name for ns in claimed) or 'none')

    def rollback(exc):
        pmem_obj.PmemNamespaceList.release(
            move.context, move.host, [ns.name for ns in claimed])

    move.run_step('compute_prep_resize', step, rollback)
    move.compute.refresh(move.context)
    move.compute.compute_rpcapi.resize_instance(move.context, instance,
                                                migration)


def _check_fits(move, flavor, free):
    # The migration coming here is already counted in ``free``: what is
    # left must not be negative.
    short = ['%s: %d over' % (key, -free[key])
             for key in ('vcpus', 'memory_mb', 'disk_gb') if free[key] < 0]
    if short:
        raise exception.InsufficientResources(host=move.host,
                                              reason='; '.join(short))


def _check_pairs(old, new):
    """With copy_pmem_devices each old namespace needs a new one at
    least as large (in the order the flavors list them)."""
    if len(new) < len(old):
        raise exception.MigrationPreCheckError(
            reason='the new flavor has %d PMEM namespaces, the server '
                   'has %d whose data is to be copied' % (len(new),
                                                          len(old)))
    for src, dst in zip(old, new):
        if dst['size'] < src['size']:
            raise exception.MigrationPreCheckError(
                reason='PMEM namespace %s (%d bytes) does not fit in %s '
                       '(%d bytes)' % (src['name'], src['size'],
                                       dst['name'], dst['size']))
