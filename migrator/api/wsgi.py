"""The request/response plumbing shared by the API surfaces.

A surface is one route table: ``Route(method, path, handler, min, max)``
rows. ``Router`` matches the path with ``routes``, then the method, then
the microversion range of the row, and calls ``handler(req)``; the handler
returns a webob Response (``json_response`` makes one). Unknown paths
answer 404, a known path with another method 405 (with ``Allow``), and a
known path and method outside the row's microversion range 404, like Nova.
"""
import collections
import json

from oslo_config import cfg
from oslo_log import log as logging
from oslo_serialization import jsonutils
import routes
import webob
import webob.dec

from migrator.api import errors
from migrator.api import microversion
from migrator.api import validation

LOG = logging.getLogger(__name__)
CONF = cfg.CONF

CONTEXT_KEY = 'migrator.context'
VERSION_KEY = 'migrator.api_version'

Route = collections.namedtuple('Route', 'method path handler min max')


def route(method, path, handler, min_version=None, max_version=None):
    return Route(method, path, handler,
                 microversion.version(min_version),
                 microversion.version(max_version))


class Request(webob.Request):

    @property
    def context(self):
        return self.environ[CONTEXT_KEY]

    @property
    def api_version(self):
        return self.environ[VERSION_KEY]

    def is_version(self, min_version=None, max_version=None):
        return microversion.in_range(self.api_version, min_version,
                                     max_version)

    @property
    def url_vars(self):
        return self.environ.get('wsgiorg.routing_args', ((), {}))[1]

    def json(self):
        """The parsed JSON body; 400 when it is missing or malformed,
        nested deeper than ``[api] max_json_depth``, holds NaN or
        Infinity, or does not arrive in full (a Content-Length larger
        than the body, a client that stops sending)."""
        try:
            body = self.body
        except OSError as exc:
            # webob's DisconnectionError (the client closed early) and the
            # WSGI server's read timeout (a slow or lying client) are
            # both OSErrors; nothing of the request has been acted on.
            LOG.info('Request body of %s %s not received in full: %s',
                     self.method, self.path, exc)
            raise errors.BadRequest(
                'The request body was not received in full: it is '
                'shorter than its Content-Length or arrived too slowly.',
                headers=[('Connection', 'close')])
        if not body:
            raise errors.BadRequest('The request body is empty; a JSON '
                                    'object is required.')
        ctype = self.content_type
        if ctype and ctype != 'application/json' and \
                not ctype.endswith('+json'):
            raise errors.UnsupportedMediaType(
                'Unsupported Content-Type %s: send application/json.'
                % ctype)
        return loads(body)

    def application_url_for(self, *parts):
        """An absolute URL below the service root (public_endpoint if
        configured), e.g. ('v2.1', 'servers', uuid)."""
        base = self.environ.get('migrator.public_endpoint') or \
            self.host_url + self.script_name
        return '/'.join([base.rstrip('/')] + [p.strip('/') for p in parts])


def _no_constant(name):
    raise ValueError('%s is not valid JSON' % name)


def loads(body, max_depth=None):
    """Decode a request body: 400 for malformed JSON, NaN or Infinity, or
    arrays and objects nested deeper than ``max_depth`` (default ``[api]
    max_json_depth``)."""
    if max_depth is None:
        max_depth = CONF.api.max_json_depth
    if isinstance(body, bytes):
        try:
            body = body.decode('utf-8')
        except UnicodeDecodeError as exc:
            raise errors.BadRequest('Malformed request body: %s' % exc)
    try:
        value = json.loads(body, parse_constant=_no_constant)
    except RecursionError:
        value = None
        too_deep = True
    except ValueError as exc:
        raise errors.BadRequest('Malformed request body: %s' % exc)
    else:
        too_deep = _deeper_than(value, max_depth)
    if too_deep:
        raise errors.BadRequest(
            'Malformed request body: arrays and objects are nested deeper '
            'than %d levels.' % max_depth)
    return value


def _deeper_than(value, limit):
    """Does ``value`` nest lists and dicts more than ``limit`` deep?
    (Iterative: no recursion on hostile input.)"""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, (dict, list)))
    return False


def json_response(body, status=200, headers=()):
    response = webob.Response(status=status, charset='utf-8')
    if body is None:
        response.content_type = None
        response.body = b''
    else:
        response.content_type = 'application/json'
        response.body = jsonutils.dump_as_bytes(body)
    for key, value in headers:
        response.headers[key] = value
    return response


def empty_response(status):
    response = webob.Response(status=status)
    response.content_type = None
    response.body = b''
    return response


class Router:
    """Dispatch by the route table of one API surface.

    ``versioned_prefix`` marks the paths that are microversioned (e.g.
    '/v2.1'): the version is parsed there, checked against ``surface``
    and echoed in the response headers. Paths outside (the root version
    document) take no version.
    """

    def __init__(self, table, surface, versioned_prefix):
        self.surface = surface
        self.prefix = versioned_prefix
        self.mapper = routes.Mapper()
        self.mapper.minimization = False
        self.mapper.explicit = True
        self.table = collections.OrderedDict()
        for row in table:
            if row.path not in self.table:
                self.table[row.path] = []
                self.mapper.connect(None, row.path, _template=row.path)
            self.table[row.path].append(row)

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req):
        path = req.path_info
        if len(path) > 1 and path.endswith('/'):
            path = path.rstrip('/')
        versioned = path == self.prefix or \
            path.startswith(self.prefix + '/')
        extra_headers = []
        try:
            if versioned:
                found = self.surface.from_request(req)
                extra_headers = self.surface.response_headers(found)
            else:
                found = self.surface.min_version
            req.environ[VERSION_KEY] = found
            response = self._dispatch(req, path, found)
        except Exception as exc:
            response = errors.from_exception(exc)
            if response is None:
                raise
        for key, value in extra_headers:
            response.headers.add(key, value)
        return response

    def _dispatch(self, req, path, found):
        match = self.mapper.match(path)
        if match is None:
            raise errors.NotFound('The resource could not be found.')
        template = match.pop('_template')
        # For the latency metrics (migrator.api.metrics): the route, not
        # the path, so that ids do not make a series each.
        req.environ['migrator.route'] = template
        rows = self.table[template]
        same_method = [row for row in rows if row.method == req.method]
        if not same_method and req.method == 'HEAD':
            same_method = [row for row in rows if row.method == 'GET']
        if not same_method:
            allowed = ', '.join(sorted({row.method for row in rows}))
            raise errors.MethodNotAllowed(
                'The method %s is not allowed for this resource.'
                % req.method, headers=[('Allow', allowed)])
        for row in same_method:
            if microversion.in_range(found, row.min, row.max):
                req.environ['wsgiorg.routing_args'] = ((), match)
                response = row.handler(req)
                if validation.RESPONSE_CHECK and req.method != 'HEAD':
                    validation.check_response(row.handler, req, response)
                return response
        raise errors.NotFound('The resource could not be found.')
