"""RPC client of migrator-conductor (topic "conductor")."""
from oslo_config import cfg

from migrator.rpcapi import base

CONF = cfg.CONF


class ConductorAPI(base.RPCClientBase):
    """Version history:

    * 1.0 - ping, build_instances
    """
    TOPIC = 'conductor'
    VERSION = '1.0'
    UPGRADE_LEVEL = 'conductor'
    METHODS = {
        'ping': ('1.0', 'call', ['payload'],
                 'Answer with the conductor host and the payload echoed; '
                 'used by health checks and tests.'),
        'build_instances': ('1.0', 'cast',
                            ['instance', 'requested_host',
                             'requested_node'],
                            'Schedule a new instance to a host (or the '
                            'requested one) and have that compute build '
                            'it; on failure the instance goes to ERROR '
                            'with a fault.'),
    }

    def ping(self, ctxt, payload):
        return self._prepare('ping').call(ctxt, 'ping', payload=payload)

    def build_instances(self, ctxt, instance, requested_host=None,
                        requested_node=None):
        self._prepare('build_instances').cast(
            ctxt, 'build_instances', instance=instance,
            requested_host=requested_host, requested_node=requested_node)
