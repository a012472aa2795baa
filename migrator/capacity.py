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
_MIGRATION_COLUMNS = ('instance_uuid', 'source_compute', 'dest_compute',
                      'status', 'migration_type', 'old_instance_type_id',
                      'new_instance_type_id')


def _flavor_usage(flavor):
    return (flavor.vcpus, flavor.memory_mb,
            flavor.root_gb + flavor.ephemeral_gb)


def host_usage(context, host):
    """(vcpus, memory_mb, disk_gb, running_vms) used or claimed on host."""
    return hosts_usage(context, [host])[host]


def hosts_usage(context, hosts):
    """{host: (vcpus, memory_mb, disk_gb, running_vms)} used or claimed on
    each of ``hosts``: the same few queries for one host or a thousand
    (the scheduler weighs every host at each boot and move)."""
    hosts = set(hosts)
    # Rows of only what is summed: every move in flight to or from the
    # hosts is read at each boot and move, and a whole Migration object
    # each (its progress text too) was most of this function's CPU.
    migrations = migration_obj.MigrationList.rows_by_filters(
        context, {'host': sorted(hosts),
                  'status': list(migration_obj.NOT_FINISHED)},
        columns=_MIGRATION_COLUMNS)
    totals, located = instance_obj.InstanceList.usage_by_hosts(
        context, hosts, [m.instance_uuid for m in migrations])
    # A migration's instance already on the host is in its totals.
    incoming = instance_obj.InstanceList.flavors_by_uuid(
        context, [m.instance_uuid for m in migrations
                  if m.dest_compute in hosts and
                  located.get(m.instance_uuid) != m.dest_compute])
    usage = {host: list(totals[host]) for host in hosts}
    for mig in migrations:
        for host in {mig.source_compute, mig.dest_compute} & hosts:
            if located.get(mig.instance_uuid) == host:
                continue
            flavor = _claimed_by(context, mig, host, incoming)
            if flavor is not None:
                for i, used in enumerate(_flavor_usage(flavor)):
                    usage[host][i] += used
    return {host: tuple(used) for host, used in usage.items()}


def _claimed_by(context, mig, host, incoming):
    """The flavor ``mig`` holds room for on ``host`` where its instance is
    not (yet, or any more), or None."""
    if mig.dest_compute != host:
        if mig.status in _HELD_ON_SOURCE and \
                mig.migration_type != 'live-migration':
            return _old_flavor(context, mig)
        return None
    if mig.instance_uuid not in incoming:
        return None    # deleted meanwhile
    flavor_id = mig.new_instance_type_id or mig.old_instance_type_id
    type_id, flavor = incoming[mig.instance_uuid]
    if mig.new_instance_type_id and flavor_id != type_id:
        try:
            flavor = flavor_obj.Flavor.get_by_id(context, flavor_id)
        except exception.FlavorNotFound:
            pass
    return flavor


def _old_flavor(context, mig):
    try:
        return flavor_obj.Flavor.get_by_id(context,
                                           mig.old_instance_type_id)
    except exception.FlavorNotFound:
        return None


def free_capacity(context, node):
    """Free vcpus, memory_mb, disk_gb and PMEM of a ComputeNode."""
    return free_capacities(context, [node])[0]


def free_capacities(context, nodes):
    """The free capacity of each of the ComputeNodes ``nodes``, in their
    order, read in the same few queries however many they are."""
    hosts = {node.host for node in nodes}
    used = hosts_usage(context, hosts)
    pmem_free = pmem_obj.PmemNamespaceList.free_by_label_of_hosts(
        context, hosts)
    return [{
        'vcpus': int(node.vcpus * (node.cpu_allocation_ratio or 1.0))
        - used[node.host][0],
        'memory_mb': int(node.memory_mb * (node.ram_allocation_ratio or 1.0))
        - used[node.host][1],
        'disk_gb': int(node.local_gb * (node.disk_allocation_ratio or 1.0))
        - used[node.host][2],
        'pmem': pmem_free[node.host],
    } for node in nodes]


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
