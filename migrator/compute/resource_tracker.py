"""Reports what a compute host has, and what is used or claimed on it
(``migrator.capacity``), into its ComputeNode record."""
from oslo_config import cfg
from oslo_log import log as logging

from migrator import capacity
from migrator import exception
from migrator.objects import compute_node as compute_node_obj

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


class ResourceTracker:
    def __init__(self, host, driver):
        self.host = host
        self.driver = driver

    def update_available_resource(self, context, service_id=None):
        """Write the driver's inventory and the derived usage into this
        host's ComputeNode, creating it on first run."""
        resources = self.driver.get_available_resource()
        vcpus_used, memory_used, disk_used, running = capacity.host_usage(
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
        if CONF.my_ip:
            node.host_ip = CONF.my_ip
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
