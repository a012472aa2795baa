"""The libvirt-python module and connections to this host's libvirtd.

libvirt-python is an optional extra (it builds against the system's
libvirt-dev), so it is imported on first use, never when the package is
imported; tests put their fake module in ``libvirt`` instead.
"""
import importlib
import threading

from oslo_log import log as logging

from migrator import exception

LOG = logging.getLogger(__name__)

# The libvirt module in use: None until first needed; tests assign a fake.
libvirt = None
_import_lock = threading.Lock()


def load_libvirt():
    """The libvirt module, imported (and quietened) on first call."""
    global libvirt
    with _import_lock:
        if libvirt is None:
            try:
                module = importlib.import_module('libvirt')
            except ImportError as e:
                raise exception.DriverError(
                    reason='libvirt-python is not installed (%s): install '
                           'the system packages libvirt-dev and pkg-config, '
                           'then "pip install migrator[libvirt]"' % e)
            quieten_errors(module)
            libvirt = module
    return libvirt


def quieten_errors(module):
    """Stop libvirt printing "libvirt: ..." on stderr for every failed call;
    the errors still reach the caller as libvirtError."""
    def _ignore(_ctx, _error):
        pass
    module.registerErrorHandler(_ignore, None)


def error_code(error):
    """The libvirt error code of an exception, None if it is not libvirt's."""
    get_code = getattr(error, 'get_error_code', None)
    return get_code() if get_code else None


def is_error(error, *names):
    """Whether ``error`` is a libvirtError with one of the VIR_ERR_* names
    (names, so that a libvirt without the constant just says no)."""
    lv = load_libvirt()
    if not isinstance(error, lv.libvirtError):
        return False
    code = error_code(error)
    return any(getattr(lv, name, object()) == code for name in names)


class Host(object):
    """This host's libvirtd, reached at ``uri``.

    One long-lived connection serves the driver's short calls (and the
    controls of running migrations); a live migration's migrateToURI3 gets
    a connection of its own (``open_connection``), because control calls
    queued behind an in-flight migrateToURI3 on one connection hang.
    """

    def __init__(self, uri):
        self.uri = uri
        self._conn = None
        self._lock = threading.Lock()

    def open_connection(self):
        """A new connection, for the caller to close."""
        lv = load_libvirt()
        try:
            return lv.open(self.uri)
        except lv.libvirtError as e:
            LOG.error('Cannot connect to libvirt at %s: %s', self.uri, e)
            raise exception.HypervisorUnavailable(host=self.uri) from e

    def get_connection(self):
        """The shared connection, reopened if it has died."""
        with self._lock:
            if self._conn is not None and not self._is_alive(self._conn):
                LOG.warning('Connection to %s was lost; reconnecting',
                            self.uri)
                self._conn = None
            if self._conn is None:
                self._conn = self.open_connection()
            return self._conn

    def close(self):
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except load_libvirt().libvirtError as e:
                LOG.debug('Closing %s failed: %s', self.uri, e)

    @staticmethod
    def _is_alive(conn):
        try:
            return bool(conn.isAlive())
        except (AttributeError, load_libvirt().libvirtError):
            return False

    def lookup(self, uuid):
        """The domain ``uuid`` on the shared connection, None if absent."""
        lv = load_libvirt()
        try:
            return self.get_connection().lookupByUUIDString(uuid)
        except lv.libvirtError as e:
            if is_error(e, 'VIR_ERR_NO_DOMAIN'):
                return None
            raise
