"""oslo.messaging set-up: the transport, clients, servers and notifier.

``init(conf)`` must run once in each process before a client or server is
made. The request context crosses every call as a dict and comes back as
a ``migrator.context.RequestContext``.
"""
import threading

from oslo_config import cfg
import oslo_messaging as messaging
from oslo_messaging.rpc import dispatcher
from oslo_messaging.rpc import server as rpc_server
from oslo_serialization import jsonutils

from migrator import context as migrator_context
from migrator import exception
from migrator.objects import base as objects_base
from migrator import rpc_guard

CONF = cfg.CONF

TRANSPORT = None
NOTIFICATION_TRANSPORT = None
NOTIFIER = None
# The message queues of other cells, by transport URL (made on first use).
_CELL_TRANSPORTS = {}
# Cell uuid -> its transport URL, None for this service's own (rpcapi).
CELL_TRANSPORT_URLS = {}
_lock = threading.Lock()
# What cell0's mapping names: it has no message queue.
NO_TRANSPORT = 'none:///'

#: [oslo_messaging_rabbit] rabbit_interval_max default (oslo.messaging's
#: is 30): the back-off between reconnection attempts grows to at most
#: this, so that every service is back on a restarted broker within a
#: few seconds of its return (issue 11: the API answers within 10 s),
#: however long the outage was.
RABBIT_INTERVAL_MAX = 5


class JsonPayloadSerializer(messaging.NoOpSerializer):
    @staticmethod
    def serialize_entity(context, entity):
        return jsonutils.to_primitive(entity, convert_instances=True)


class RequestContextSerializer(messaging.Serializer):
    """Carries the request context, and objects through ``base``."""

    def __init__(self, base=None):
        self._base = base

    def serialize_entity(self, context, entity):
        if not self._base:
            return entity
        return self._base.serialize_entity(context, entity)

    def deserialize_entity(self, context, entity):
        if not self._base:
            return entity
        return self._base.deserialize_entity(context, entity)

    def serialize_context(self, context):
        return context.to_dict()

    def deserialize_context(self, context):
        rpc_guard.check_context(context)
        try:
            return migrator_context.RequestContext.from_dict(context)
        except Exception as exc:
            raise exception.RPCMessageRejected(
                reason='bad context: %s' % exc)


def init(conf=CONF):
    global TRANSPORT, NOTIFICATION_TRANSPORT, NOTIFIER
    if TRANSPORT is not None:
        return
    messaging.set_transport_defaults(control_exchange='migrator')
    rpc_guard.quiet_undecodable()
    # Exceptions from migrator.exception raised by a called service come
    # back as themselves (with their HTTP code), not as RemoteError.
    TRANSPORT = messaging.get_rpc_transport(
        conf, allowed_remote_exmods=['migrator.exception'])
    _set_reconnect_defaults(conf)
    NOTIFICATION_TRANSPORT = messaging.get_notification_transport(conf)
    NOTIFIER = messaging.Notifier(
        NOTIFICATION_TRANSPORT,
        serializer=RequestContextSerializer(JsonPayloadSerializer()),
        topics=['versioned_notifications'])


def _set_reconnect_defaults(conf):
    # The rabbit driver registers its options when a transport is made
    # (before any connection reads them); other drivers have none.
    try:
        conf.set_default('rabbit_interval_max', RABBIT_INTERVAL_MAX,
                         group='oslo_messaging_rabbit')
    except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
        pass


def cleanup():
    global TRANSPORT, NOTIFICATION_TRANSPORT, NOTIFIER
    with _lock:
        cells = list(_CELL_TRANSPORTS.values())
        _CELL_TRANSPORTS.clear()
        CELL_TRANSPORT_URLS.clear()
    for transport in [TRANSPORT, NOTIFICATION_TRANSPORT] + cells:
        if transport is not None:
            transport.cleanup()
    TRANSPORT = NOTIFICATION_TRANSPORT = NOTIFIER = None


def get_transport(url=None):
    """The RPC transport of message queue ``url``: this service's own
    (``[DEFAULT] transport_url``) when ``url`` is empty, the same, or
    cell0's ``none:///``; otherwise one per URL, made once and kept."""
    _require_init()
    if not url or url == CONF.transport_url or url == NO_TRANSPORT:
        return TRANSPORT
    with _lock:
        transport = _CELL_TRANSPORTS.get(url)
        if transport is None:
            transport = _CELL_TRANSPORTS[url] = messaging.get_rpc_transport(
                CONF, url=url, allowed_remote_exmods=['migrator.exception'])
        return transport


def _require_init():
    if TRANSPORT is None:
        raise RuntimeError('migrator.rpc.init() was not called')


def get_client(target, version_cap=None, timeout=None, transport_url=None):
    _require_init()
    serializer = RequestContextSerializer(
        objects_base.MigratorObjectSerializer())
    return messaging.get_rpc_client(get_transport(transport_url), target,
                                    version_cap=version_cap,
                                    serializer=serializer, timeout=timeout)


def get_server(target, endpoints, transport_url=None):
    _require_init()
    serializer = RequestContextSerializer(
        objects_base.MigratorObjectSerializer())
    # oslo.messaging's get_rpc_server with the dispatcher that refuses a
    # message it cannot serve in one log line (migrator.rpc_guard).
    rpc_dispatcher = rpc_guard.GuardedRPCDispatcher(
        endpoints, serializer, dispatcher.DefaultRPCAccessPolicy)
    return rpc_server.RPCServer(get_transport(transport_url), target,
                                rpc_dispatcher, executor='threading')


def get_notifier(publisher_id):
    _require_init()
    return NOTIFIER.prepare(publisher_id=publisher_id)
