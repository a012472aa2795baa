"""What a compute host has and what is claimed on it.

Usage is derived, not counted: the instances whose host is this one, plus
the migrations coming here that are not finished (their claim). A failed
or rolled-back migration thus leaves nothing claimed, with no bookkeeping
to forget.
"""
from oslo_config import cfg
from oslo_log import log as logging

from migrator import exception
from migrator.objects import compute_node as compute_node_obj
from migrator.objects import flavor as flavor_obj
from migrator.objects import instance as instance_obj
from migrator.objects import migration as migration_obj

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


def _flavor_usage(flavor):
    return (flavor.vcpus, flavor.memory_mb,
            flavor.root_gb + flavor.ephemeral_gb)


def host_usage(context, host):
    """(vcpus, memory_mb, disk_gb, running_vms) used or claimed on host."""
    vcpus = memory = disk = count = 0
    instances = instance_obj.InstanceList.get_by_host(context, host)
    here = set()
    for inst in instances:
        here.add(inst.uuid)
        vcpus += inst.vcpus or 0
        memory += inst.memory_mb or 0
        disk += (inst.root_gb or 0) + (inst.ephemeral_gb or 0)
        count += 1
    for mig in migration_obj.MigrationList.get_unfinished_by_host(
            context, host):
        if mig.dest_compute != host or mig.instance_uuid in here:
            continue
        flavor_id = mig.new_instance_type_id or mig.old_instance_type_id
        try:
            inst = instance_obj.Instance.get_by_uuid(context,
                                                     mig.instance_uuid)
        except exception.InstanceNotFound:
            continue
        flavor = inst.flavor
        if mig.new_instance_type_id and flavor_id != inst.instance_type_id:
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


class ResourceTracker:
    def __init__(self, host, driver):
        self.host = host
        self.driver = driver

    def update_available_resource(self, context, service_id=None):
        """Write the driver's inventory and the derived usage into this
        host's ComputeNode, creating it on first run."""
        resources = self.driver.get_available_resource()
        vcpus_used, memory_used, disk_used, running = host_usage(
            context, self.host)
        nodename = resources['hypervisor_hostname']
        try:
            node = compute_node_obj.ComputeNode.get_by_host_and_nodename(
                context, self.host, nodename)
        except exception.ComputeNodeNotFound:
            node = compute_node_obj.ComputeNode(context, host=self.host)
        for key in ('hypervisor_hostname', 'hypervisor_type',
                    'hypervisor_version', 'cpu_info', 'vcpus', 'memory_mb',
                    'local_gb'):
            setattr(node, key, resources[key])
        node.vcpus_used = vcpus_used
        node.memory_mb_used = memory_used
        node.local_gb_used = disk_used
        node.running_vms = running
        node.cpu_allocation_ratio = CONF.compute.cpu_allocation_ratio
        node.ram_allocation_ratio = CONF.compute.ram_allocation_ratio
        node.disk_allocation_ratio = CONF.compute.disk_allocation_ratio
        if service_id is not None:
            node.service_id = service_id
        if node.obj_attr_is_set('id'):
            node.save()
        else:
            node.create()
            LOG.info('Compute node %s of host %s recorded (%d vCPU, '
                     '%d MiB, %d GiB)', nodename, self.host, node.vcpus,
                     node.memory_mb, node.local_gb)
        return node
