"""A production-grade threaded WSGI server (cheroot) that can run in the
foreground (``migrator-api``) or on a thread inside another process
(``migrator-all``, tests).

A client must send its request line and headers within
``header_deadline`` seconds in all (``[api] request_header_timeout``):
cheroot's own timeout applies to each read, so a client trickling a byte
at a time would otherwise hold a worker thread for ever. A watchdog
closes such connections.
"""
import socket
import threading
import time
import weakref

from cheroot import server as cheroot_server
from cheroot import wsgi as cheroot_wsgi
from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class _Request(cheroot_server.HTTPRequest):

    def parse_request(self):
        self.conn.reading_since = time.monotonic()
        try:
            return super().parse_request()
        finally:
            self.conn.reading_since = None


class _Connection(cheroot_server.HTTPConnection):
    """Knows since when it is reading a request's head."""

    RequestHandlerClass = _Request
    reading_since = None

    def __init__(self, server, sock, *args, **kwargs):
        super().__init__(server, sock, *args, **kwargs)
        server.migrator_connections.add(self)


class WSGIServer:
    """Serve ``app`` on ``host``:``port`` with ``threads`` workers.

    ``timeout`` is the client socket timeout in seconds (each read);
    ``header_deadline`` the time for a whole request head. ``port`` 0
    picks a free port; ``port`` tells which once started.
    ``start()`` returns once the socket listens; ``stop()`` closes it and
    waits for the serving thread.
    """

    def __init__(self, app, host='127.0.0.1', port=0, threads=16,
                 name='migrator-api', timeout=10,
                 max_header_size=65536, header_deadline=30):
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
        self._server.ConnectionClass = _Connection
        self._server.migrator_connections = weakref.WeakSet()
        self.header_deadline = header_deadline
        self._stopping = threading.Event()
        self._watchdog = None
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

    def _watch(self):
        while not self._stopping.wait(0.5):
            now = time.monotonic()
            for conn in list(self._server.migrator_connections):
                since = conn.reading_since
                if since is None or now - since <= self.header_deadline:
                    continue
                LOG.info('%s: closing a connection that sent no complete '
                         'request head in %s s', self.name,
                         self.header_deadline)
                conn.reading_since = None
                try:
                    conn.socket.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _start_watchdog(self):
        self._stopping.clear()
        self._watchdog = threading.Thread(target=self._watch,
                                          name=self.name + '-watchdog',
                                          daemon=True)
        self._watchdog.start()

    def start(self):
        """Bind and serve on a background thread."""
        self._server.prepare()
        self._start_watchdog()
        self._thread = threading.Thread(target=self._server.serve,
                                        name=self.name, daemon=True)
        self._thread.start()
        LOG.info('%s listening on %s', self.name, self.url)
        return self

    def serve_forever(self):
        """Bind and serve on the calling thread until stop()."""
        self._server.prepare()
        self._start_watchdog()
        LOG.info('%s listening on %s', self.name, self.url)
        self._server.serve()

    def stop(self):
        self._stopping.set()
        self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
