"""RPC client of migrator-conductor (topic "conductor")."""
from oslo_config import cfg

from migrator.rpcapi import base

CONF = cfg.CONF


class ConductorAPI(base.RPCClientBase):
    """Version history:

    * 1.0 - ping
    """
    TOPIC = 'conductor'
    VERSION = '1.0'
    UPGRADE_LEVEL = 'conductor'
    METHODS = {
        'ping': ('1.0', 'call', ['payload'],
                 'Answer with the conductor host and the payload echoed; '
                 'used by health checks and tests.'),
    }

    def ping(self, ctxt, payload):
        return self._prepare('ping').call(ctxt, 'ping', payload=payload)
