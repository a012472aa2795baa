"""migrator-api: the compute REST API (port 8774) and the block storage
REST API (port 8776) as their own process, on cheroot."""
import signal
import sys
import threading

from oslo_config import cfg
from oslo_log import log as logging

from migrator.cmd import common

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


def main(argv=None):
    argv = sys.argv if argv is None else argv
    common.parse_args(argv, 'The migrator compute REST API.')
    common.require('api_database', 'connection',
                   'the API needs the API database')

    from migrator.api.compute import app as compute_app
    from migrator.api import db_faults
    from migrator.api import server
    from migrator.api.volume import app as volume_app
    from migrator import exception
    from migrator import rpc

    db_faults.set_api_defaults(CONF)
    try:
        rpc.init(CONF)
        app = compute_app.make_app(CONF)
        wsgi_server = server.WSGIServer(
            app, CONF.api.bind_host, CONF.api.bind_port,
            threads=CONF.api.wsgi_threads,
            timeout=CONF.api.client_socket_timeout,
            max_header_size=CONF.api.max_request_header_size,
            header_deadline=CONF.api.request_header_timeout)
        volume_server = server.WSGIServer(
            volume_app.make_app(CONF), CONF.api.bind_host,
            CONF.api.volume_bind_port, threads=CONF.api.wsgi_threads,
            name='migrator-api-volume',
            timeout=CONF.api.client_socket_timeout,
            max_header_size=CONF.api.max_request_header_size,
            header_deadline=CONF.api.request_header_timeout)
    except exception.ConfigurationError as exc:
        common.fail(exc.format_message())
    except OSError as exc:
        common.fail('cannot listen on %s:%s: %s' % (
            CONF.api.bind_host, CONF.api.bind_port, exc.strerror or exc),
            code=1)
    stopping = threading.Event()
    reload = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *args: stopping.set())
    signal.signal(signal.SIGHUP, lambda *args: reload.set())
    for srv, port in ((wsgi_server, CONF.api.bind_port),
                      (volume_server, CONF.api.volume_bind_port)):
        try:
            srv.start()
        except OSError as exc:
            common.fail('cannot listen on %s:%s: %s' % (
                CONF.api.bind_host, port, exc.strerror or exc), code=1)
    print('migrator-api listening on %s/v2.1 (compute) and %s/v3 (block '
          'storage)' % (wsgi_server.url, volume_server.url), flush=True)
    try:
        while not stopping.wait(1):
            if reload.is_set():
                from migrator import service
                reload.clear()
                service.reload_config()
    finally:
        LOG.info('migrator-api stopping')
        wsgi_server.stop()
        volume_server.stop()
        rpc.cleanup()
    return 0


if __name__ == '__main__':
    sys.exit(main())
