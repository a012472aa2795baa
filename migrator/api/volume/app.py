"""The block storage API as one WSGI application, with the same
middleware as the compute API (request id, request log, fault wrapper,
authentication) around the router over ``routes.ROUTES``."""
from oslo_config import cfg

from migrator.api import middleware
from migrator.api.volume import api_version
from migrator.api.volume import routes
from migrator.api import wsgi
from migrator import objects
from migrator import policy

CONF = cfg.CONF


def make_app(conf=CONF):
    """The block storage API WSGI application for ``conf``."""
    objects.register_all()
    policy.init(conf)
    app = wsgi.Router(routes.ROUTES, api_version.SURFACE, routes.PREFIX)
    if conf.api.auth_strategy == 'noauth2':
        middleware.warn_noauth2('block storage')
        app = middleware.NoAuth2(app, public_paths=routes.PUBLIC_PATHS)
    else:
        app = middleware.KeystoneContext(app,
                                         public_paths=routes.PUBLIC_PATHS)
        app = middleware.keystone_auth_token(app, conf)
    app = middleware.FaultWrapper(app)
    app = middleware.BodySizeLimit(app, conf)
    app = middleware.RequestLog(app)
    app = middleware.RequestId(app)
    return app
