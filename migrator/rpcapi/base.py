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
        self._target = messaging.Target(topic=self.TOPIC,
                                        version=self.VERSION,
                                        namespace=self.NAMESPACE)
        self._cap = getattr(CONF.upgrade_levels, self.UPGRADE_LEVEL)
        self.client = rpc.get_client(self._target, version_cap=self._cap)
        self._cell_clients = {}

    def can_send_version(self, version):
        return self.client.can_send_version(version)

    def client_for(self, ctxt):
        """The client on the message queue of the cell ``ctxt`` targets
        (cached), or this service's own."""
        url = cell_transport_url(ctxt)
        if url is None:
            return self.client
        client = self._cell_clients.get(url)
        if client is None:
            client = self._cell_clients[url] = rpc.get_client(
                self._target, version_cap=self._cap, transport_url=url)
        return client

    def _prepare(self, method, server=None, timeout=None, fanout=False,
                 long=False):
        """``long``: a call that may take up to ``long_rpc_timeout``, as
        long as the server is alive: the server sends heartbeats
        (oslo.messaging's call monitor), and a server that stops sending
        them (dead, unreachable) fails the call after
        ``rpc_response_timeout`` instead."""
        version = self.METHODS[method][0]
        kwargs = {'version': version}
        if server is not None:
            kwargs['server'] = server
        if long:
            kwargs['timeout'] = CONF.long_rpc_timeout
            kwargs['call_monitor_timeout'] = CONF.rpc_response_timeout
        if timeout is not None:
            kwargs['timeout'] = timeout
        if fanout:
            kwargs['fanout'] = True
        return _CellRouted(self, kwargs)


class _CellRouted:
    """A prepared call or cast that goes out on the message queue of the
    cell its context targets."""

    def __init__(self, owner, kwargs):
        self._owner = owner
        self._kwargs = kwargs

    def _prepared(self, ctxt):
        return self._owner.client_for(ctxt).prepare(**self._kwargs)

    def call(self, ctxt, method, **kwargs):
        return self._prepared(ctxt).call(ctxt, method, **kwargs)

    def cast(self, ctxt, method, **kwargs):
        return self._prepared(ctxt).cast(ctxt, method, **kwargs)

    def can_send_version(self, version):
        return self._owner.client.prepare(**self._kwargs).can_send_version(
            version)


def cell_transport_url(ctxt):
    """The transport URL of the cell ``ctxt`` targets, when this service
    can look it up in the API database and it is not its own; else
    None. Cached: a changed URL is seen after a restart, as in Nova."""
    cell_uuid = getattr(ctxt, 'cell_uuid', None)
    if cell_uuid is None:
        return None
    if cell_uuid not in rpc.CELL_TRANSPORT_URLS:
        from migrator import exception
        from migrator.objects import cell_mapping as cell_obj
        try:
            url = cell_obj.CellMapping.get_by_uuid(
                ctxt, cell_uuid).transport_url
        except (exception.CellMappingNotFound,
                exception.ConfigurationError):
            # A cell service: it has no API database and speaks on its own
            # message queue.
            url = None
        if url in (CONF.transport_url, rpc.NO_TRANSPORT, ''):
            url = None
        rpc.CELL_TRANSPORT_URLS[cell_uuid] = url
    return rpc.CELL_TRANSPORT_URLS[cell_uuid]
