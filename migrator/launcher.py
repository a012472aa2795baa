"""Run a process's services under oslo.service's launcher (threading
backend) and its signal handler.

Why the in-process ``Launcher`` and not ``ServiceLauncher``: the threading
backend's ``ServiceLauncher`` (and ``launch(..., workers=1)``) runs each
service in a forked cotyledon worker that the master restarts whenever it
ends, turns SIGHUP into a restart of that worker (stopping its in-flight
migrations) and forwards SIGHUP and SIGINT to the whole process group.
migrator's services need one process per service (``kill -9`` of its pid
is a crash, not a graceful stop), a drain before the RPC servers stop,
and a SIGHUP that only mutates options. ``Launcher`` with
``restart_method='mutate'`` gives exactly that: it starts the services,
``stop()`` stops them, ``restart()`` calls ``CONF.mutate_config_files()``
and then each service's ``reset()``.
"""
import signal
import threading

from oslo_config import cfg
from oslo_log import log as logging
from oslo_service import service as oslo_service

from migrator import service

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


class ServiceGroup(oslo_service.ServiceBase):
    """The services of one process as one oslo.service service: they start
    in order and stop together (``service.stop_all``: the API first, then
    every RPC service drains while the others still answer it, then their
    RPC servers stop) within [DEFAULT] graceful_shutdown_timeout."""

    def __init__(self, services):
        self.services = services
        self.error = None
        self.started = threading.Event()
        self._stopped = threading.Event()
        self._stop_lock = threading.Lock()

    def start(self):
        try:
            for svc in self.services:
                svc.start()
        except BaseException as exc:
            # Raised again in the main thread (run_service turns it into
            # one line and an exit code).
            self.error = exc
        finally:
            self.started.set()

    def stop(self, graceful=True):
        with self._stop_lock:
            if self._stopped.is_set():
                return
            self.started.wait()
            timeout = CONF.graceful_shutdown_timeout
            service._watchdog(timeout + 5)
            service.stop_all(self.services, timeout)
            self._stopped.set()

    def wait(self):
        self._stopped.wait()

    def reset(self):
        """After a SIGHUP's ``mutate_config_files``: the mutable options
        already have their new values (``log_changes`` said which)."""


def log_changes(conf, changed):
    """oslo.config mutate hook: one line naming every changed option."""
    if not changed:
        LOG.info('Configuration reloaded: no mutable option changed')
        return
    LOG.info('Configuration reloaded: %s', ', '.join(
        '[%s] %s = %s (was %s)' % (group or 'DEFAULT', name, new, old)
        for (group, name), (old, new) in sorted(
            changed.items(), key=lambda item: (item[0][0] or '',
                                               item[0][1]))))


def serve(services):
    """Start ``services`` under oslo.service's ``Launcher`` and block until
    SIGTERM or SIGINT has stopped them; SIGHUP reloads the mutable
    options. A service that fails to start stops the others and its error
    is raised here."""
    CONF.register_mutate_hook(log_changes)
    group = ServiceGroup(services)
    launcher = oslo_service.Launcher(CONF, restart_method='mutate')
    signals = oslo_service.SignalHandler()

    def _on_stop(signum, frame):
        LOG.info('Caught %s, stopping', signal.Signals(signum).name)
        # Ignore a second stop signal: the first one's stop is under way.
        for name in ('SIGTERM', 'SIGINT'):
            signals.ignore_handler(name)
        threading.Thread(target=launcher.stop, name='launcher-stop',
                         daemon=True).start()

    def _on_hup(signum, frame):
        LOG.info('Caught SIGHUP, reloading the configuration files')
        try:
            launcher.restart()
        except Exception as exc:
            LOG.error('Configuration not reloaded: %s', exc)

    previous = {sig: signal.getsignal(sig)
                for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    signals.add_handlers(('SIGTERM', 'SIGINT'), _on_stop)
    signals.add_handler('SIGHUP', _on_hup)
    try:
        launcher.launch_service(group)
        group.started.wait()
        if group.error is not None:
            launcher.stop()
            raise group.error
        launcher.wait()
    finally:
        signals.clear()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
