"""Start-up shared by the console scripts: configuration, logging, and
one-line errors instead of tracebacks for what an operator can fix."""
import sys

from oslo_config import cfg
from oslo_log import log as logging

import migrator.conf  # noqa: F401 - registers every option group
from migrator import exception
from migrator import log_handlers
from migrator import objects

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


def parse_args(argv, description, default_config_files=None,
               cli_opts=(), before_logging=None):
    """Parse the command line and config files; exit 2 with one line on a
    bad or missing setting. ``before_logging(CONF)`` may adjust options
    after parsing and before logging is set up."""
    # A second parse in one process (tests call main() repeatedly) must
    # forget the first before CLI options are registered; registered
    # options and overrides are kept.
    CONF.clear()
    logging.register_options(CONF)
    if cli_opts:
        CONF.register_cli_opts(cli_opts)
    try:
        CONF(argv[1:], project='migrator', prog=argv[0].rsplit('/', 1)[-1],
             description=description,
             default_config_files=default_config_files)
    except cfg.ConfigFilesNotFoundError as exc:
        fail('config file not found: %s' % ', '.join(exc.config_files))
    except (cfg.Error, ValueError) as exc:
        fail(str(exc).strip().splitlines()[0])
    if before_logging is not None:
        before_logging(CONF)
    logging.setup(CONF, 'migrator')
    log_handlers.never_raise()
    objects.register_all()


def fail(message, code=2):
    prog = sys.argv[0].rsplit('/', 1)[-1] if sys.argv else 'migrator'
    print('%s: error: %s' % (prog, message), file=sys.stderr)
    sys.exit(code)


def require(group, name, hint):
    """Exit with a one-line message if [group] name is not set."""
    section = CONF if group == 'DEFAULT' else getattr(CONF, group)
    if not getattr(section, name):
        fail('[%s] %s is not set: %s' % (group, name, hint))


def require_service_settings():
    """What every RPC service needs: a message queue and both databases."""
    require('DEFAULT', 'transport_url',
            'set it to the message queue, e.g. '
            'rabbit://guest:guest@127.0.0.1:5672/')
    require('database', 'connection', 'the cell database URL')
    require('api_database', 'connection', 'the API database URL')


def run_service(binary, build_services):
    """Build services (after config is loaded) and serve until signalled;
    configuration and connection errors become one line. Once stopped the
    process exits at once: a worker thread still blocked on a peer (its
    work already recorded as interrupted) must not hold it."""
    import os

    from migrator import launcher
    from migrator import rpc
    from migrator import service

    try:
        rpc.init(CONF)
        services = build_services()
        launcher.serve(services)
    except exception.ConfigurationError as exc:
        fail(exc.format_message())
    except Exception as exc:
        # Unreachable databases and brokers land here: say which, once.
        LOG.exception('%s failed', binary)
        fail('%s failed: %s' % (binary, str(exc).splitlines()[0]), code=1)
    finally:
        rpc.cleanup()
    LOG.info('%s stopped', binary)
    service._flush_logs()
    sys.stdout.flush()
    os._exit(0)
