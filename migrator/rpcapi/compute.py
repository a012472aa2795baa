"""RPC client of migrator-compute (topic "compute", server = host name)."""
from oslo_config import cfg

from migrator.rpcapi import base

CONF = cfg.CONF


class ComputeAPI(base.RPCClientBase):
    """Version history:

    * 1.0 - ping, refresh_resources
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
    }

    def ping(self, ctxt, host, payload):
        return self._prepare('ping', server=host).call(
            ctxt, 'ping', payload=payload)

    def refresh_resources(self, ctxt, host):
        self._prepare('refresh_resources', server=host).cast(
            ctxt, 'refresh_resources')
