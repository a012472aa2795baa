"""The compute API for uWSGI, gunicorn or mod_wsgi.

``init_application()`` (the ``migrator-api-wsgi`` wsgi_script) reads the
configuration files named by $MIGRATOR_CONFIG_FILES (comma-separated;
default /etc/migrator/migrator.conf when it exists), sets up logging and
RPC, and returns the WSGI application.
"""
import os

from oslo_config import cfg
from oslo_log import log as logging

from migrator.api.compute import app as compute_app
from migrator.api import db_faults
import migrator.conf  # noqa: F401 - registers every option group
from migrator import log_handlers
from migrator import rpc

CONF = cfg.CONF
DEFAULT_CONFIG = '/etc/migrator/migrator.conf'


def _config_files():
    named = os.environ.get('MIGRATOR_CONFIG_FILES')
    if named:
        return [f.strip() for f in named.split(',') if f.strip()]
    return [DEFAULT_CONFIG] if os.path.exists(DEFAULT_CONFIG) else []


def init_application():
    logging.register_options(CONF)
    CONF([], project='migrator', default_config_files=_config_files())
    logging.setup(CONF, 'migrator')
    log_handlers.never_raise()
    db_faults.set_api_defaults(CONF)
    rpc.init(CONF)
    return compute_app.make_app(CONF)
