"""HTTP errors in Nova's body shape.

``{"itemNotFound": {"code": 404, "message": "..."}}``: the key names the
kind of error, the message says what is wrong. ``HTTPError`` is raised by
the API layer itself; ``migrator.exception`` exceptions carry their own
``code`` and are mapped by ``from_exception`` without a handler having to
catch them.
"""
from oslo_log import log as logging
from oslo_serialization import jsonutils
import webob
import webob.exc

from migrator.api import db_faults

LOG = logging.getLogger(__name__)

FAULT_NAMES = {
    400: 'badRequest',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'itemNotFound',
    405: 'badMethod',
    409: 'conflictingRequest',
    413: 'overLimit',
    415: 'badMediaType',
    429: 'overLimit',
    501: 'notImplemented',
    503: 'serviceUnavailable',
}
DEFAULT_FAULT = 'computeFault'


class HTTPError(Exception):
    code = 500

    def __init__(self, message, headers=None):
        super().__init__(message)
        self.message = message
        self.headers = headers or []


class BadRequest(HTTPError):
    code = 400


class Unauthorized(HTTPError):
    code = 401


class Forbidden(HTTPError):
    code = 403


class NotFound(HTTPError):
    code = 404


class MethodNotAllowed(HTTPError):
    code = 405


class NotAcceptable(HTTPError):
    code = 406


class Conflict(HTTPError):
    code = 409


class UnsupportedMediaType(HTTPError):
    code = 415


class NotImplemented(HTTPError):  # noqa: A001 (Nova's fault name)
    code = 501


def fault_response(code, message, headers=()):
    name = FAULT_NAMES.get(code, DEFAULT_FAULT)
    body = {name: {'code': code, 'message': message}}
    response = webob.Response(status=code,
                              content_type='application/json',
                              charset='utf-8')
    response.body = jsonutils.dump_as_bytes(body)
    for key, value in headers:
        response.headers.add(key, value)
    return response


def from_exception(exc):
    """The response for an exception, or None if it is not an API error.

    A ``migrator.exception.MigratorException`` with a 4xx code says what
    went wrong to the caller; 5xx ones are internal and are not described
    (the caller gets a generic message and the log gets the traceback).
    """
    if isinstance(exc, HTTPError):
        return fault_response(exc.code, exc.message, exc.headers)
    if isinstance(exc, webob.exc.HTTPRequestEntityTooLarge):
        # oslo.middleware's LimitingReader, while a chunked body is read.
        return fault_response(413, 'Request is too large.',
                              [('Connection', 'close')])
    if db_faults.is_unavailable(exc):
        LOG.error('Database unavailable: %s', db_faults.describe(exc))
        return fault_response(503, db_faults.MESSAGE)
    code = getattr(exc, 'code', None)
    # 503: a cell that does not answer (the caller may retry).
    if isinstance(code, int) and (400 <= code < 500 or code == 503) and \
            hasattr(exc, 'format_message'):
        return fault_response(code, exc.format_message())
    return None
