"""Build a new instance: pick a host, hand the build to its compute."""
from oslo_config import cfg
from oslo_log import log as logging

from migrator import claims
from migrator.conductor import cell0
from migrator.conductor import scheduler
from migrator.conductor.tasks import base
from migrator import exception
from migrator.objects import instance as instance_obj
from migrator.objects import instance_fault
from migrator.rpcapi import compute as compute_rpcapi

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


class BuildInstanceTask(base.TaskBase):
    def __init__(self, context, instance, requested_host=None,
                 requested_node=None):
        super().__init__(context, instance)
        self.requested_host = requested_host
        self.requested_node = requested_node
        self.compute_rpcapi = compute_rpcapi.ComputeAPI()

    def _execute(self):
        node = self._claim_a_host(self._candidates())
        LOG.info('Instance %s scheduled to %s', self.instance.uuid,
                 node.host)
        self.compute_rpcapi.build_and_run_instance(
            self.context, self.instance, node.host,
            node=node.hypervisor_hostname)

    def _candidates(self):
        only = [self.requested_host] if self.requested_host else None
        if self.requested_host:
            scheduler.usable_service(self.context, self.requested_host)
        nodes = scheduler.select_hosts(
            self.context, self.instance.flavor, only=only,
            limit=CONF.scheduler.max_attempts,
            hints=self.instance.attribute('scheduler_hints'))
        if not self.requested_node:
            return nodes
        named = [n for n in nodes
                 if n.hypervisor_hostname == self.requested_node]
        if not named:
            raise exception.NoValidHost(
                reason='node %s is not on host %s' % (self.requested_node,
                                                      nodes[0].host))
        return named

    def _claim_a_host(self, candidates):
        """The first candidate the instance still fits on, claimed by
        writing it as the instance's host before the build is cast, so
        that the next build sees this one's usage. The room the
        scheduler read may have been taken meanwhile by another claim:
        such a candidate is passed over."""
        failures = []
        for node in candidates:
            try:
                claims.claim_for_build(self.instance, node)
                return node
            except (exception.InsufficientResources,
                    exception.ComputeHostNotFound) as exc:
                LOG.info('Host %s taken meanwhile for %s: %s', node.host,
                         self.instance.uuid, exc.format_message())
                failures.append(exc.format_message())
        raise exception.NoValidHost(reason='; '.join(failures))

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
