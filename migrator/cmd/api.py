"""migrator-api: the compute REST API (port 8774) and the block storage
REST API (port 8776) as their own process, on cheroot."""
import sys

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
    from migrator.api import db_faults
    db_faults.set_api_defaults(CONF)
    common.run_service('migrator-api', _build)


def _build():
    """The compute and block storage WSGI servers, then a line saying
    where they listen."""
    from migrator.api.compute import app as compute_app
    from migrator.api import server
    from migrator.api.volume import app as volume_app

    wsgi_opts = dict(threads=CONF.api.wsgi_threads,
                     timeout=CONF.api.client_socket_timeout,
                     max_header_size=CONF.api.max_request_header_size,
                     header_deadline=CONF.api.request_header_timeout)
    try:
        compute = server.WSGIServer(
            compute_app.make_app(CONF), CONF.api.bind_host,
            CONF.api.bind_port, **wsgi_opts)
        volume = server.WSGIServer(
            volume_app.make_app(CONF), CONF.api.bind_host,
            CONF.api.volume_bind_port, name='migrator-api-volume',
            **wsgi_opts)
    except OSError as exc:
        _cannot_listen(CONF.api.bind_port, exc)
    return [_Listening(compute, CONF.api.bind_port),
            _Listening(volume, CONF.api.volume_bind_port),
            _Announce(compute, volume)]


def _cannot_listen(port, exc):
    common.fail('cannot listen on %s:%s: %s' % (
        CONF.api.bind_host, port, exc.strerror or exc), code=1)


class _Listening:
    """One WSGI server as a service the launcher starts and stops."""
    binary = 'migrator-api'

    def __init__(self, wsgi_server, port):
        self._server = wsgi_server
        self._port = port

    def start(self):
        try:
            self._server.start()
        except OSError as exc:
            _cannot_listen(self._port, exc)

    def stop(self, timeout=None):
        self._server.stop()


class _Announce:
    """Says where the APIs listen once both do."""
    binary = 'migrator-api'

    def __init__(self, compute, volume):
        self._compute = compute
        self._volume = volume

    def start(self):
        print('migrator-api listening on %s/v2.1 (compute) and %s/v3 '
              '(block storage)' % (self._compute.url, self._volume.url),
              flush=True)

    def stop(self, timeout=None):
        pass


if __name__ == '__main__':
    sys.exit(main())
