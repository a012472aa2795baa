"""``/healthcheck`` on the API: oslo.middleware's healthcheck app, with a
backend that checks the API database.

``GET /healthcheck`` answers ``200 OK`` when every backend is healthy and
``503`` otherwise (no token needed; ``[healthcheck] detailed = true`` adds
the details, ``disable_by_file`` can take a process out of a load
balancer). The default backend, ``migrator_database``, runs ``SELECT 1``
on the API database.
"""
from oslo_log import log as logging
from oslo_middleware import healthcheck
from oslo_middleware.healthcheck import opts as healthcheck_opts
from oslo_middleware.healthcheck import pluginbase
import sqlalchemy as sa

from migrator.api import db_faults
from migrator.db import session

LOG = logging.getLogger(__name__)

PATH = '/healthcheck'


class DatabaseCheck(pluginbase.HealthcheckBaseExtension):
    """The API database answers a query."""

    def healthcheck(self, server_port):
        try:
            with session.api_engine().connect() as conn:
                conn.execute(sa.text('SELECT 1'))
        except Exception as exc:
            reason = 'API database unavailable: %s' % db_faults.describe(exc)
            LOG.warning('Health check: %s', reason)
            return pluginbase.HealthcheckResult(available=False,
                                                reason=reason)
        return pluginbase.HealthcheckResult(available=True,
                                            reason='API database OK')


def mount(application, conf):
    """``application`` with ``/healthcheck`` answered in front of it."""
    conf.register_opts(healthcheck_opts.HEALTHCHECK_OPTS,
                       group='healthcheck')
    conf.set_default('backends', ['migrator_database'],
                     group='healthcheck')
    checker = healthcheck.Healthcheck(None, conf)

    def app(environ, start_response):
        if environ.get('PATH_INFO', '').rstrip('/') == PATH:
            return checker(environ, start_response)
        return application(environ, start_response)
    return app
