"""WSGI middleware around an API surface, outermost first:

* ``RequestId``: gives every request an id (``req-<uuid>``), answers it
  in ``X-OpenStack-Request-Id`` (and the surface's legacy header, e.g.
  ``X-Compute-Request-Id``), and accepts a caller's
  ``X-OpenStack-Request-Id`` as the global request id.
* ``RequestLog``: one log line per request: method, path, status, size,
  time.
* ``BodySizeLimit``: a body larger than ``[oslo_middleware]
  max_request_body_size`` (oslo.middleware's sizelimit option) is a 413
  in Nova's body, answered from the Content-Length before any of the
  body is read; a chunked body is cut off at the same size.
* ``FaultWrapper``: anything a handler did not expect becomes a 500 in
  Nova's body (``computeFault``) with no traceback; the log keeps it.
* ``NoAuth2`` or ``KeystoneContext``: who is asking, as a
  ``RequestContext`` in the environ.
"""
import time

from oslo_context import context as oslo_context
from oslo_log import log as logging
from oslo_middleware import request_id
from oslo_middleware import sizelimit
import webob
import webob.dec
import webob.exc

from migrator.api import errors
from migrator.api import wsgi
from migrator import context as migrator_context

LOG = logging.getLogger(__name__)

REQUEST_ID_KEY = request_id.ENV_REQUEST_ID
GLOBAL_REQUEST_ID_KEY = request_id.GLOBAL_REQ_ID


class Middleware:
    def __init__(self, application):
        self.application = application


class RequestId(request_id.RequestId):
    """oslo.middleware's request id, also answered in the surface's
    legacy header; the thread's current context (what oslo.log prints on
    each line) is the request's own while it is answered, and nothing
    once it has been."""

    def __init__(self, application, extra_header=None):
        super().__init__(application)
        self.compat_headers = [extra_header] if extra_header else []

    def __call__(self, environ, start_response):
        _clear_current_context()
        try:
            return super().__call__(environ, start_response)
        finally:
            _clear_current_context()


def _clear_current_context():
    # oslo.context keeps the current context per thread and has no
    # public way to forget it; without this, lines logged before the
    # next request's context exists would carry this one's id and user.
    oslo_context._request_store.context = None


class RequestLog(Middleware):

    @webob.dec.wsgify
    def __call__(self, req):
        start = time.monotonic()
        response = req.get_response(self.application)
        LOG.info('%(remote)s "%(method)s %(path)s" status: %(status)s '
                 'len: %(len)s time: %(time).4f %(request_id)s',
                 {'remote': req.remote_addr, 'method': req.method,
                  'path': req.path_qs, 'status': response.status_int,
                  'len': response.content_length or 0,
                  'time': time.monotonic() - start,
                  'request_id': req.environ.get(REQUEST_ID_KEY, '-')})
        return response


def register_sizelimit_opts(conf):
    conf.register_opts(sizelimit.OPTS, group='oslo_middleware')


class BodySizeLimit(Middleware):

    def __init__(self, application, conf):
        super().__init__(application)
        register_sizelimit_opts(conf)
        self.conf = conf

    @webob.dec.wsgify
    def __call__(self, req):
        limit = self.conf.oslo_middleware.max_request_body_size
        message = ('Request is too large: the body may have at most %d '
                   'bytes ([oslo_middleware] max_request_body_size).'
                   % limit)
        if req.content_length is not None and req.content_length > limit:
            LOG.info('Refused %s %s: Content-Length %d is above %d',
                     req.method, req.path, req.content_length, limit)
            # The body is not read: close the connection after answering.
            return errors.fault_response(413, message,
                                         [('Connection', 'close')])
        if req.content_length is None and req.is_body_readable:
            req.body_file = sizelimit.LimitingReader(req.body_file, limit)
        try:
            return req.get_response(self.application)
        except webob.exc.HTTPRequestEntityTooLarge:
            return errors.fault_response(413, message,
                                         [('Connection', 'close')])


class FaultWrapper(Middleware):

    @webob.dec.wsgify
    def __call__(self, req):
        try:
            return req.get_response(self.application)
        except Exception as exc:
            response = errors.from_exception(exc)
            if response is not None:
                return response
            LOG.exception('Unexpected error answering %s %s',
                          req.method, req.path)
            return errors.fault_response(
                500, 'Unexpected API Error. Please report this at the '
                     'migrator issue tracker and attach the API log if '
                     'possible (request id %s).'
                     % req.environ.get(REQUEST_ID_KEY, '-'))


def _store_context(req, **kwargs):
    ctx = migrator_context.RequestContext(
        request_id=req.environ.get(REQUEST_ID_KEY),
        global_request_id=req.environ.get(GLOBAL_REQUEST_ID_KEY),
        overwrite=True, **kwargs)
    req.environ[wsgi.CONTEXT_KEY] = ctx
    return ctx


def noauth2_identity(token):
    """(user_id, project_id, roles) for a noauth2 token.

    ``user:project`` is that user in that project; a token without a
    colon (keystoneauth's ``notused``, or ``admin``) is a user of that
    name in a project of the same name. The user ``admin`` has the roles
    admin, member and reader; everyone else has member and reader.
    """
    if ':' in token:
        user_id, project_id = token.split(':', 1)
    else:
        user_id = project_id = token
    roles = ['member', 'reader']
    if user_id == 'admin':
        roles.insert(0, 'admin')
    return user_id, project_id, roles


class NoAuth2(Middleware):
    """No authentication: the token names the caller (see
    ``noauth2_identity``). Requests outside ``public_paths`` (version
    documents) without a token get 401."""

    def __init__(self, application, public_paths=()):
        super().__init__(application)
        self.public_paths = tuple(public_paths)

    @webob.dec.wsgify
    def __call__(self, req):
        token = req.headers.get('X-Auth-Token', '').strip()
        if not token:
            if self._public(req.path_info):
                _store_context(req, user_id=None, project_id=None,
                               roles=[])
                return req.get_response(self.application)
            return errors.fault_response(
                401, 'This server could not verify that you are '
                     'authorized: send X-Auth-Token "user:project" '
                     '(noauth2).')
        user_id, project_id, roles = noauth2_identity(token)
        _store_context(req, user_id=user_id, project_id=project_id,
                       roles=roles, auth_token=token)
        return req.get_response(self.application)

    def _public(self, path):
        path = path.rstrip('/') or '/'
        return path in self.public_paths


class KeystoneContext(Middleware):
    """After keystonemiddleware's auth_token: the identity headers it set
    (X-User-Id, X-Project-Id, X-Roles, ...) become the context."""

    def __init__(self, application, public_paths=()):
        super().__init__(application)
        self.public_paths = tuple(public_paths)

    @webob.dec.wsgify
    def __call__(self, req):
        identity = req.headers.get('X-Identity-Status', 'Invalid')
        path = req.path_info.rstrip('/') or '/'
        if identity != 'Confirmed' and path not in self.public_paths:
            return errors.fault_response(401, 'Authentication required.')
        roles = [r.strip() for r in
                 req.headers.get('X-Roles', '').split(',') if r.strip()]
        _store_context(
            req,
            user_id=req.headers.get('X-User-Id'),
            project_id=req.headers.get('X-Project-Id'),
            roles=roles,
            auth_token=req.headers.get('X-Auth-Token'),
            user_domain_id=req.headers.get('X-User-Domain-Id'),
            project_domain_id=req.headers.get('X-Project-Domain-Id'),
            user_name=req.headers.get('X-User-Name'),
            project_name=req.headers.get('X-Project-Name'),
            system_scope=req.headers.get('Openstack-System-Scope'))
        return req.get_response(self.application)


def warn_noauth2(surface):
    """Logged once per API built with auth_strategy = noauth2."""
    LOG.warning('The %s API runs with [api] auth_strategy = noauth2: no '
                'authentication, any token "user:project" acts as that '
                'user and "admin" is an administrator. Use it only for '
                'tests and the embedded demo; set auth_strategy = '
                'keystone and [keystone_authtoken] in production.',
                surface)


def keystone_auth_token(application, conf):
    """keystonemiddleware's auth_token filter around ``application``;
    version documents pass without a token (delay_auth_decision)."""
    from keystonemiddleware import auth_token
    return auth_token.AuthProtocol(application,
                                   {'delay_auth_decision': True,
                                    'oslo_config_config': conf})
