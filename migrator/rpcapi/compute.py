"""RPC client of migrator-compute (topic "compute", server = host name)."""
from oslo_config import cfg

from migrator.rpcapi import base

CONF = cfg.CONF


class ComputeAPI(base.RPCClientBase):
    """Version history:

    * 1.0 - ping, refresh_resources, build_and_run_instance,
      terminate_instance
    """
    TOPIC = 'compute'
    VERSION = '1.0'
    UPGRADE_LEVEL = 'compute'
    METHODS = {
        'ping': ('1.0', 'call', ['payload'],
                 'Answer with the compute host and the payload echoed.'),
        'refresh_resources': ('1.0', 'cast', [],
                              'Report the host\'s inventory and usage into '
                              'its compute node record now.'),
        'build_and_run_instance': ('1.0', 'cast', ['instance', 'node'],
                                   'Create and start the instance on this '
                                   'host; ACTIVE on success, ERROR with a '
                                   'fault on failure.'),
        'terminate_instance': ('1.0', 'cast', ['instance'],
                               'Destroy the guest and soft-delete the '
                               'instance.'),
    }

    def ping(self, ctxt, host, payload):
        return self._prepare('ping', server=host).call(
            ctxt, 'ping', payload=payload)

    def refresh_resources(self, ctxt, host):
        self._prepare('refresh_resources', server=host).cast(
            ctxt, 'refresh_resources')

    def build_and_run_instance(self, ctxt, instance, host, node=None):
        self._prepare('build_and_run_instance', server=host).cast(
            ctxt, 'build_and_run_instance', instance=instance, node=node)

    def terminate_instance(self, ctxt, instance, host):
        self._prepare('terminate_instance', server=host).cast(
            ctxt, 'terminate_instance', instance=instance)
