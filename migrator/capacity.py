"""How much of a compute host is used or claimed, and what is free.

Usage is derived, not counted: the instances whose host is this one, plus
the migrations coming here that are not finished (their claim). A failed
or rolled-back migration thus leaves nothing claimed, with no bookkeeping
to forget. Both the compute's resource tracker and the conductor's
scheduler read it, so it sits below both.
"""
from migrator import exception
from migrator.objects import flavor as flavor_obj
from migrator.objects import instance as instance_obj
from migrator.objects import migration as migration_obj
from migrator.objects import pmem_namespace as pmem_obj
from migrator import pmem

# A cold migration or resize that reached the destination keeps room for
# its instance on the source until it is confirmed or reverted.
_HELD_ON_SOURCE = ('finished', 'confirming', 'reverting')


def _flavor_usage(flavor):
    return (flavor.vcpus, flavor.memory_mb,
            flavor.root_gb + flavor.ephemeral_gb)


def host_usage(context, host):
    """(vcpus, memory_mb, disk_gb, running_vms) used or claimed on host."""
    migrations = migration_obj.MigrationList.get_unfinished_by_host(
        context, host)
    (vcpus, memory, disk, count), here = \
        instance_obj.InstanceList.usage_by_host(
            context, host, [m.instance_uuid for m in migrations])
    incoming = instance_obj.InstanceList.flavors_by_uuid(
        context, [m.instance_uuid for m in migrations
                  if m.dest_compute == host and m.instance_uuid not in here])
    for mig in migrations:
        if mig.instance_uuid in here:
            continue
        if mig.dest_compute != host:
            if (mig.source_compute == host and
                    mig.status in _HELD_ON_SOURCE and
                    not mig.is_live_migration):
                old = _old_flavor(context, mig)
                if old is not None:
                    used = _flavor_usage(old)
                    vcpus += used[0]
                    memory += used[1]
                    disk += used[2]
            continue
        flavor_id = mig.new_instance_type_id or mig.old_instance_type_id
        if mig.instance_uuid not in incoming:
            continue    # deleted meanwhile
        type_id, flavor = incoming[mig.instance_uuid]
        if mig.new_instance_type_id and flavor_id != type_id:
            try:
                flavor = flavor_obj.Flavor.get_by_id(context, flavor_id)
            except exception.FlavorNotFound:
                pass
        if flavor is None:
            continue
        used = _flavor_usage(flavor)
        vcpus += used[0]
        memory += used[1]
        disk += used[2]
    return vcpus, memory, disk, count


def _old_flavor(context, mig):
    try:
        return flavor_obj.Flavor.get_by_id(context,
                                           mig.old_instance_type_id)
    except exception.FlavorNotFound:
        return None


def free_capacity(context, node):
    """Free vcpus, memory_mb and disk_gb of a ComputeNode."""
    vcpus_used, memory_used, disk_used, _ = host_usage(context, node.host)
    return {
        'vcpus': int(node.vcpus * (node.cpu_allocation_ratio or 1.0))
        - vcpus_used,
        'memory_mb': int(node.memory_mb * (node.ram_allocation_ratio or 1.0))
        - memory_used,
        'disk_gb': int(node.local_gb * (node.disk_allocation_ratio or 1.0))
        - disk_used,
        'pmem': pmem_obj.PmemNamespaceList.free_by_label(context,
                                                         node.host),
    }


def lacking(flavor, free):
    """What ``free`` lacks to hold ``flavor``, as a phrase, or None."""
    needs = {'vcpus': flavor.vcpus, 'memory_mb': flavor.memory_mb,
             'disk_gb': flavor.root_gb + flavor.ephemeral_gb}
    short = ['%s: needs %d, free %d' % (key, needs[key], free[key])
             for key in ('vcpus', 'memory_mb', 'disk_gb')
             if needs[key] > free[key]]
    labels = pmem.requested_labels(flavor.extra_specs
                                   if flavor.obj_attr_is_set('extra_specs')
                                   else {})
    if labels:
        pmem_short = pmem.lacking(labels, free.get('pmem') or {})
        if pmem_short:
            short.append(pmem_short)
    return '; '.join(short) or None


def check_fits(context, node, flavor):
    """Raise InsufficientResources unless ``flavor`` fits on ``node``
    now."""
    short = lacking(flavor, free_capacity(context, node))
    if short:
        raise exception.InsufficientResources(host=node.host, reason=short)
