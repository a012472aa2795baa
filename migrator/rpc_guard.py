"""What a service does with an RPC message it cannot serve.

A message naming a method the service lacks, an RPC version newer than
it speaks, arguments its method does not take, a context that is not a
request context, or a versioned object it cannot read (newer than this
code, of an unknown class, or garbage) is refused: one WARNING line that
names the message and the reason, no traceback, and, for a ``call``, the
error goes back to the caller (``UnsupportedVersion``/``NoSuchMethod`` as
``RemoteError``, the rest as ``migrator.exception.RPCMessageRejected``)
instead of a timeout. The service goes on serving.

Exceptions raised by a method that did accept its message are bugs or
failures of the work itself: they keep oslo.messaging's traceback.
"""
import inspect
import logging as std_logging
import re
import threading

from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_messaging.rpc import dispatcher as rpc_dispatcher

from migrator import exception

LOG = logging.getLogger(__name__)

_VERSION = re.compile(r'[0-9]{1,6}\.[0-9]{1,6}')
_READ_DELETED = ('no', 'yes', 'only')
# Context keys whose type a service relies on: {key: allowed types}.
_CONTEXT_TYPES = {
    'user_id': (str, type(None)),
    'project_id': (str, type(None)),
    'user': (str, type(None)),
    'project': (str, type(None)),
    'request_id': (str, type(None)),
    'global_request_id': (str, type(None)),
    'cell_uuid': (str, type(None)),
    'is_admin': (bool, type(None)),
    'roles': (list,),
}
# The refused exceptions, raised by the dispatcher or by this module.
REFUSED = (rpc_dispatcher.NoSuchMethod, rpc_dispatcher.UnsupportedVersion,
           exception.RPCMessageRejected)


def check_context(values):
    """Refuse a context dict whose values a service could misread (a
    ``read_deleted`` it does not know would show deleted rows)."""
    if not isinstance(values, dict):
        raise exception.RPCMessageRejected(
            reason='the context is a %s, not a dict' % type(values).__name__)
    for key, types in _CONTEXT_TYPES.items():
        if key in values and not isinstance(values[key], types):
            raise exception.RPCMessageRejected(
                reason='context %s is a %s' % (key,
                                               type(values[key]).__name__))
    if not all(isinstance(role, str) for role in values.get('roles', [])):
        raise exception.RPCMessageRejected(reason='context roles are not '
                                                  'all strings')
    if values.get('read_deleted', 'no') not in _READ_DELETED:
        raise exception.RPCMessageRejected(
            reason='context read_deleted %r is not one of %s'
            % (values['read_deleted'], ', '.join(_READ_DELETED)))


def _check_envelope(message):
    """Refuse a message whose method, args, version or namespace are not
    what oslo.messaging's dispatcher expects (it would fail on them with
    an AttributeError deep inside)."""
    method = message.get('method')
    if not isinstance(method, str) or not method:
        raise exception.RPCMessageRejected(reason='no method name')
    if not isinstance(message.get('args', {}), dict):
        raise exception.RPCMessageRejected(reason='args is not a dict')
    version = message.get('version', '1.0')
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise exception.RPCMessageRejected(
            reason='version %r is not "major.minor"' % (version,))
    namespace = message.get('namespace')
    if namespace is not None and not isinstance(namespace, str):
        raise exception.RPCMessageRejected(reason='namespace is not a '
                                                  'string')


def describe(message):
    """A short, safe description of a message for the log."""
    if not isinstance(message, dict):
        return 'a %s' % type(message).__name__
    args = message.get('args')
    names = sorted(args)[:20] if isinstance(args, dict) else args
    return 'method=%.80r version=%.20r namespace=%.40r args=%.200r' % (
        message.get('method'), message.get('version', '1.0'),
        message.get('namespace'), names)


def _signature(endpoint, name, func):
    """The signature of the endpoint's method ``name`` without self. A
    decorator that hides it behind ``(*args, **kwargs)`` (oslo.messaging's
    ``expected_exceptions``) keeps the function in its closure: look
    there for the one of the same name."""
    signature = inspect.signature(func)
    kinds = {p.kind for p in signature.parameters.values()}
    if kinds - {inspect.Parameter.VAR_POSITIONAL,
                inspect.Parameter.VAR_KEYWORD}:
        return signature
    inner = getattr(func, '__func__', func)
    for cell in getattr(inner, '__closure__', None) or ():
        try:
            candidate = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if callable(candidate) and \
                getattr(candidate, '__name__', None) == name:
            return _signature(endpoint, name,
                              candidate.__get__(endpoint))
    return signature


class GuardedRPCDispatcher(rpc_dispatcher.RPCDispatcher):
    """oslo.messaging's dispatcher, refusing what it cannot serve with one
    log line and an error for the caller."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set once a method has accepted its message (per executor
        # thread): what it raises then is its own failure, not a refusal.
        self._accepted = threading.local()

    def dispatch(self, incoming):
        message = incoming.message
        self._accepted.value = False
        try:
            _check_envelope(message)
            return super().dispatch(incoming)
        except REFUSED as exc:
            if self._accepted.value:
                raise
            refused = exc
            # ExpectedException: the server replies with the original
            # error and logs it at debug level only.
            expected = messaging.ExpectedException()
        # Out of the except block, so that the log line carries no
        # exception text twice.
        LOG.warning('Refused RPC message (%s): %s: %s',
                    describe(message), type(refused).__name__, refused)
        raise expected

    def _do_dispatch(self, endpoint, method, ctxt, args):
        func = getattr(endpoint, method)
        try:
            # The names only: a call that cannot bind is the caller's
            # mistake, a TypeError inside the method is a bug here.
            _signature(endpoint, method, func).bind(ctxt, **args)
        except TypeError as exc:
            raise exception.RPCMessageRejected(
                reason='%s does not take these arguments: %s'
                % (method, exc))
        ctxt = self.serializer.deserialize_context(ctxt)
        args = {name: self.serializer.deserialize_entity(ctxt, value)
                for name, value in args.items()}
        self._accepted.value = True
        result = func(ctxt, **args)
        return self.serializer.serialize_entity(ctxt, result)


# oslo.messaging's RabbitMQ driver logs a message it cannot even decode
# (bytes that are not JSON) with a full traceback, then drops it.
_DRIVER_LOGGER = 'oslo.messaging._drivers.impl_rabbit'


class _OneLineDropped(std_logging.Filter):
    """The driver's "Failed to process message" as one line."""

    def filter(self, record):
        if record.exc_info and str(record.msg).startswith(
                'Failed to process message'):
            exc = record.exc_info[1]
            record.msg = '%s (%s: %s)' % (record.getMessage(),
                                          type(exc).__name__, exc)
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


_FILTER = _OneLineDropped()


def quiet_undecodable():
    """Install the one-line filter on the RabbitMQ driver's logger
    (once)."""
    logger = std_logging.getLogger(_DRIVER_LOGGER)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
