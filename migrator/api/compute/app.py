"""The compute API as one WSGI application.

``make_app(conf)`` returns the callable with its middleware: request id,
request log, API latency metrics, fault wrapper, authentication ([api]
auth_strategy), and the router over ``routes.ROUTES`` plus ``GET
/metrics`` (``migrator.api.metrics``). ``migrator-api``, ``migrator-all``
and the uWSGI/gunicorn entry point all build the API through it.
"""
from oslo_config import cfg

from migrator.api.compute import api_version
from migrator.api.compute import routes
from migrator.api import dashboard
from migrator.api.dashboard import volume_migrations
from migrator.api import healthcheck
from migrator.api import metrics as metrics_mod
from migrator.api import middleware
from migrator.api import wsgi
from migrator import objects
from migrator import policy

CONF = cfg.CONF


class _PublicEndpoint(middleware.Middleware):
    def __init__(self, application, endpoint):
        super().__init__(application)
        self.endpoint = endpoint

    def __call__(self, environ, start_response):
        if self.endpoint:
            environ['migrator.public_endpoint'] = self.endpoint
        return self.application(environ, start_response)


def make_app(conf=CONF):
    """The compute API WSGI application for ``conf`` (already parsed)."""
    objects.register_all()
    policy.init(conf)
    strategy = conf.api.auth_strategy
    table = list(routes.ROUTES)
    metrics = metrics_mod.Metrics()
    table.append(wsgi.route('GET', metrics_mod.PATH, metrics.handler))
    table.append(wsgi.route('GET', dashboard.PATH, dashboard.index))
    table.append(wsgi.route('GET', volume_migrations.PATH,
                            volume_migrations.VolumeMigrations()))
    table.append(wsgi.route('GET', dashboard.PATH + '/{asset}',
                            dashboard.asset))
    public = routes.PUBLIC_PATHS + dashboard.PUBLIC_PATHS
    if strategy == 'noauth2':
        table += routes.NOAUTH2_ROUTES
    app = wsgi.Router(table, api_version.SURFACE, routes.PREFIX)
    if strategy == 'noauth2':
        middleware.warn_noauth2('compute')
        app = middleware.NoAuth2(app, public_paths=public)
    else:
        app = middleware.KeystoneContext(app, public_paths=public)
        app = middleware.keystone_auth_token(app, conf)
    app = middleware.FaultWrapper(app)
    app = _PublicEndpoint(app, conf.api.public_endpoint)
    app = middleware.BodySizeLimit(app, conf)
    app = metrics_mod.LatencyMiddleware(app, metrics)
    app = middleware.RequestLog(app)
    app = middleware.RequestId(app, extra_header='X-Compute-Request-Id')
    return healthcheck.mount(app, conf)
