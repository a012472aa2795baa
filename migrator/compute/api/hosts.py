"""Services and compute nodes (hypervisors), across cells."""
from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from migrator.compute.api import base
from migrator import context as migrator_context
from migrator import exception
from migrator.objects import compute_node as compute_node_obj
from migrator.objects import host_mapping as host_mapping_obj
from migrator.objects import instance as instance_obj
from migrator.objects import service as service_obj

CONF = cfg.CONF
LOG = logging.getLogger(__name__)
UPTIME_RPC_VERSION = '1.3'


class HostsMixin:
    # -- services ---------------------------------------------------------
    def list_services(self, context, host=None, binary=None):
        found = []
        for cell, services in self._each_cell(
                context, lambda c: service_obj.ServiceList.get_all(
                    c, binary=binary, host=host)):
            for service in services:
                # Volume services belong to the block storage API's
                # os-services, as Cinder's are not in Nova's.
                if service.binary == 'migrator-volume':
                    continue
                service._cell = cell
                found.append(service)
        return found

    def get_service(self, context, service_id=None, uuid=None):
        for service in self.list_services(context):
            if (uuid is not None and service.uuid == uuid) or \
                    (service_id is not None and service.id == service_id):
                return service
        raise exception.ServiceNotFound(service_id=uuid or service_id)

    def get_service_by_host_and_binary(self, context, host, binary):
        services = self.list_services(context, host=host, binary=binary)
        if not services:
            raise exception.HostBinaryNotFound(host=host, binary=binary)
        return services[0]

    def update_service(self, context, service, **values):
        with migrator_context.target_cell(context, service._cell) as cctxt:
            service._context = cctxt
            for key, value in values.items():
                setattr(service, key, value)
            service.save()
        return service

    def delete_service(self, context, service):
        cell = service._cell
        with migrator_context.target_cell(context, cell) as cctxt:
            if service.binary == base.COMPUTE_BINARY:
                if instance_obj.InstanceList.get_by_host(cctxt,
                                                         service.host):
                    raise exception.Conflict(
                        reason='Unable to delete compute service that is '
                               'hosting instances. Migrate or delete the '
                               'instances first.')
            service._context = cctxt
            service.destroy()
        if service.binary == base.COMPUTE_BINARY:
            try:
                host_mapping_obj.HostMapping.get_by_host(
                    context, service.host).destroy()
            except exception.HostMappingNotFound:
                pass

    # -- compute nodes (hypervisors) ----------------------------------------
    def list_compute_nodes(self, context):
        found = []
        for cell, nodes in self._each_cell(
                context, compute_node_obj.ComputeNodeList.get_all):
            for node in nodes:
                node._cell = cell
                found.append(node)
        return found

    def node_service(self, context, node):
        with migrator_context.target_cell(context, node._cell) as cctxt:
            try:
                return service_obj.Service.get_by_compute_host(cctxt,
                                                               node.host)
            except exception.ComputeHostNotFound:
                return None

    def node_instances(self, context, node):
        with migrator_context.target_cell(context, node._cell) as cctxt:
            return [i for i in instance_obj.InstanceList.get_by_filters(
                cctxt, {'host': node.host, 'node': node.hypervisor_hostname})]

    def get_host_uptime(self, context, node):
        """The uptime line of ``node``'s compute host. A compute that is
        down or does not answer within [api] hypervisor_uptime_timeout
        is Nova's ComputeServiceUnavailable (400); one pinned below the
        RPC version that asks is NotImplementedError (Nova's 501)."""
        service = self.node_service(context, node)
        if service is None or not service.is_up:
            raise exception.ComputeServiceUnavailable(host=node.host)
        if not self.compute_rpcapi.can_send_version(UPTIME_RPC_VERSION):
            raise NotImplementedError()
        timeout = CONF.api.hypervisor_uptime_timeout
        with migrator_context.target_cell(context, node._cell) as cctxt:
            try:
                return self.compute_rpcapi.get_host_uptime(
                    cctxt, node.host, timeout=timeout)
            except messaging.MessagingTimeout:
                LOG.warning('Compute %s did not answer the uptime question '
                            'within %ss', node.host, timeout)
                raise exception.ComputeServiceUnavailable(host=node.host)
            except messaging.UnsupportedVersion:
                # A compute older than 1.3 not pinned in [upgrade_levels].
                raise NotImplementedError()
            except messaging.RemoteError as exc:
                if exc.exc_type == 'UnsupportedVersion':
                    raise NotImplementedError()
                raise
