"""What every RPC client class shares: a target, a version cap from
[upgrade_levels], and ``can_send_version``."""
from oslo_config import cfg
import oslo_messaging as messaging

from migrator import rpc

CONF = cfg.CONF


class RPCClientBase:
    #: oslo.messaging topic the service listens on.
    TOPIC = None
    #: RPC namespace of the endpoint (None: the service's main one).
    NAMESPACE = None
    #: The newest version this client speaks.
    VERSION = '1.0'
    #: The option of [upgrade_levels] that caps this client.
    UPGRADE_LEVEL = None
    #: Method name -> (version it appeared in, call|cast, [arguments],
    #: one-line description). Kept in step with the methods below by a
    #: unit test, and rendered into the RPC contract document.
    METHODS = {}

    def __init__(self):
        target = messaging.Target(topic=self.TOPIC, version=self.VERSION,
                                  namespace=self.NAMESPACE)
        cap = getattr(CONF.upgrade_levels, self.UPGRADE_LEVEL)
        self.client = rpc.get_client(target, version_cap=cap)

    def can_send_version(self, version):
        return self.client.can_send_version(version)

    def _prepare(self, method, server=None, timeout=None, fanout=False):
        version = self.METHODS[method][0]
        kwargs = {'version': version}
        if server is not None:
            kwargs['server'] = server
        if timeout is not None:
            kwargs['timeout'] = timeout
        if fanout:
            kwargs['fanout'] = True
        return self.client.prepare(**kwargs)
