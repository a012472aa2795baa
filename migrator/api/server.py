"""A production-grade threaded WSGI server (cheroot) that can run in the
foreground (``migrator-api``) or on a thread inside another process
(``migrator-all``, tests)."""
import threading

from cheroot import wsgi as cheroot_wsgi
from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class WSGIServer:
    """Serve ``app`` on ``host``:``port`` with ``threads`` workers.

    ``timeout`` is the client socket timeout in seconds. ``port`` 0
    picks a free port; ``port`` tells which once started.
    ``start()`` returns once the socket listens; ``stop()`` closes it and
    waits for the serving thread.
    """

    def __init__(self, app, host='127.0.0.1', port=0, threads=16,
                 name='migrator-api', timeout=10,
                 max_header_size=65536):
        self.name = name
        # ``timeout``: seconds a client may take to send the next part of
        # its request ([api] client_socket_timeout); then the read fails
        # and the request is answered 400 (wsgi.Request.json).
        self._server = cheroot_wsgi.Server((host, port), app,
                                           numthreads=threads,
                                           server_name=name,
                                           timeout=timeout)
        # Request line and headers: bounded, so a huge URL cannot fill
        # memory (cheroot answers 414/413 itself).
        self._server.max_request_header_size = max_header_size
        self._thread = None

    @property
    def host(self):
        return self._server.bind_addr[0]

    @property
    def port(self):
        return self._server.bind_addr[1]

    @property
    def url(self):
        host = self.host
        if ':' in host:
            host = '[%s]' % host
        return 'http://%s:%s' % (host, self.port)

    def start(self):
        """Bind and serve on a background thread."""
        self._server.prepare()
        self._thread = threading.Thread(target=self._server.serve,
                                        name=self.name, daemon=True)
        self._thread.start()
        LOG.info('%s listening on %s', self.name, self.url)
        return self

    def serve_forever(self):
        """Bind and serve on the calling thread until stop()."""
        self._server.prepare()
        LOG.info('%s listening on %s', self.name, self.url)
        self._server.serve()

    def stop(self):
        self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
