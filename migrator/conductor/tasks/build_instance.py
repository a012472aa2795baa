"""Build a new instance: pick a host, hand the build to its compute."""
from oslo_log import log as logging

from migrator.conductor import cell0
from migrator.conductor import scheduler
from migrator.conductor.tasks import base
from migrator import exception
from migrator.objects import instance as instance_obj
from migrator.objects import instance_fault
from migrator.rpcapi import compute as compute_rpcapi

LOG = logging.getLogger(__name__)


class BuildInstanceTask(base.TaskBase):
    def __init__(self, context, instance, requested_host=None,
                 requested_node=None):
        super().__init__(context, instance)
        self.requested_host = requested_host
        self.requested_node = requested_node
        self.compute_rpcapi = compute_rpcapi.ComputeAPI()

    def _execute(self):
        flavor = self.instance.flavor
        only = [self.requested_host] if self.requested_host else None
        if self.requested_host:
            scheduler.usable_service(self.context, self.requested_host)
        node = scheduler.select_hosts(
            self.context, flavor, only=only, limit=1,
            hints=self.instance.attribute('scheduler_hints'))[0]
        if self.requested_node and \
                node.hypervisor_hostname != self.requested_node:
            raise exception.NoValidHost(
                reason='node %s is not on host %s' % (self.requested_node,
                                                      node.host))
        # The host is claimed by writing it before the build is cast, so
        # a second build scheduled at once sees this one's usage.
        self.instance.host = node.host
        self.instance.node = node.hypervisor_hostname
        self.instance.task_state = instance_obj.SPAWNING
        self.instance.save(expected_task_state=[instance_obj.SCHEDULING])
        LOG.info('Instance %s scheduled to %s', self.instance.uuid,
                 node.host)
        self.compute_rpcapi.build_and_run_instance(
            self.context, self.instance, node.host,
            node=node.hypervisor_hostname)

    def rollback(self, exc):
        self.instance.vm_state = instance_obj.ERROR
        self.instance.task_state = None
        self.instance.host = None
        self.instance.node = None
        self.instance.save()
        instance_fault.InstanceFault.record(self.context, self.instance.uuid,
                                            exc)
        if isinstance(exc, exception.NoValidHost):
            # Never scheduled: kept in cell0 with its fault, as in Nova.
            cell0.bury(self.context, self.instance.uuid)
