"""Run a manager as a service: RPC server, Service record, heartbeat,
periodic tasks, and a clean stop (migrator.launcher runs it)."""
import os
import threading
import time

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from migrator import exception
from migrator.objects import service as service_obj
from migrator import rpc

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


class Service:
    """One service (``binary``) on one ``host``, serving ``manager``."""

    def __init__(self, host, binary, topic, manager,
                 report_interval=None, cell_uuid=None, transport_url=None):
        """``cell_uuid`` and ``transport_url``: the cell this service
        belongs to and its message queue, when one process serves several
        cells (the embedded default); by default the service's
        configuration says ([database] connection, [DEFAULT]
        transport_url)."""
        self.host = host
        self.binary = binary
        self.topic = topic
        self.manager = manager
        self.cell_uuid = cell_uuid
        self.transport_url = transport_url
        manager.cell_uuid = cell_uuid
        self.report_interval = report_interval or CONF.report_interval
        self.service_ref = None
        self.rpcserver = None
        self._stopping = threading.Event()
        self._drained = False
        self._threads = []

    def start(self):
        ctxt = self.manager.admin_context()
        self.manager.init_host()
        self.service_ref = self._register(ctxt)
        target = messaging.Target(topic=self.topic, server=self.host)
        # A manager may serve more endpoints (other RPC namespaces) on its
        # topic: additional_endpoints.
        endpoints = [self.manager] + list(
            getattr(self.manager, 'additional_endpoints', ()))
        self.rpcserver = rpc.get_server(target, endpoints,
                                        transport_url=self.transport_url)
        self.rpcserver.start()
        LOG.info('%s started on host %s (topic %s, service version %d)',
                 self.binary, self.host, self.topic,
                 service_obj.SERVICE_VERSION)
        self._spawn(self._heartbeat_loop, 'heartbeat')
        for task, interval in self.manager.periodic_tasks():
            self._spawn(self._periodic_loop, task.__name__, task, interval)
        self.manager.post_start_hook()

    def _register(self, ctxt):
        try:
            ref = service_obj.Service.get_by_host_and_binary(
                ctxt, self.host, self.binary)
        except exception.HostBinaryNotFound:
            ref = service_obj.Service(ctxt, host=self.host,
                                      binary=self.binary, topic=self.topic,
                                      version=service_obj.SERVICE_VERSION)
            ref.create()
        else:
            ref.version = service_obj.SERVICE_VERSION
            ref.topic = self.topic
            ref.save()
        ref.heartbeat()
        return ref

    def _spawn(self, target, name, *args):
        thread = threading.Thread(target=target, args=args, daemon=True,
                                  name='%s-%s' % (self.binary, name))
        thread.start()
        self._threads.append(thread)

    def _heartbeat_loop(self):
        while not self._stopping.wait(self.report_interval):
            try:
                self.service_ref.heartbeat()
            except Exception:
                # A database blip must not kill the heartbeat: the service
                # is reported down until a later beat gets through.
                LOG.exception('Heartbeat of %s on %s failed', self.binary,
                              self.host)

    def _periodic_loop(self, task, interval):
        ctxt = self.manager.admin_context()
        while not self._stopping.wait(interval):
            try:
                task(ctxt)
            except Exception:
                LOG.exception('Periodic task %s failed', task.__name__)

    def drain(self, timeout):
        """First phase of a stop: heartbeat and periodic tasks end, and the
        manager ends or records its long work while RPC still answers
        (a peer's roll-back call must still reach this service)."""
        self._stopping.set()
        self._drained = True
        try:
            self.manager.drain(timeout)
        except Exception:
            LOG.exception('Draining %s on %s failed', self.binary,
                          self.host)

    def stop(self, timeout=None):
        """Stop serving; wait up to ``timeout`` seconds for in-flight
        requests, then record what is still running as interrupted."""
        if timeout is None:
            timeout = CONF.graceful_shutdown_timeout
        if not self._drained:
            # Stopped on its own (not by stop_all): drain first.
            start = time.monotonic()
            self.drain(timeout)
            timeout = max(0.0, timeout - (time.monotonic() - start))
        self._stopping.set()
        if self.rpcserver is not None:
            self.rpcserver.stop()
            waiter = threading.Thread(target=self.rpcserver.wait,
                                      daemon=True)
            waiter.start()
            waiter.join(timeout)
            if waiter.is_alive():
                LOG.warning('%s on %s: work still in flight after %s s; '
                            'recording it as interrupted', self.binary,
                            self.host, timeout)
                self.manager.record_interrupted('service stopped')
        self.manager.cleanup_host()
        LOG.info('%s on %s stopped', self.binary, self.host)


def _watchdog(seconds):
    """Exit the process if a graceful stop takes longer than ``seconds``:
    a thread blocked on a peer must not keep it alive for ever."""
    def _expire():
        LOG.error('Graceful shutdown did not finish within %d s; exiting',
                  seconds)
        _flush_logs()
        os._exit(1)
    timer = threading.Timer(seconds, _expire)
    timer.daemon = True
    timer.start()
    return timer


def _flush_logs():
    import logging as std_logging
    for handler in std_logging.getLogger().handlers:
        try:
            handler.flush()
        except Exception:  # noqa: S110 - nothing left to report it to
            pass


def stop_all(services, timeout=None):
    """Stop ``services`` (the last started first) within ``timeout``
    seconds ([DEFAULT] graceful_shutdown_timeout): what has no ``drain``
    (the API) stops first; then every RPC service drains (ends or
    records its long work while the others still answer it); then their
    RPC servers stop."""
    if timeout is None:
        timeout = CONF.graceful_shutdown_timeout
    deadline = time.monotonic() + timeout

    def left():
        return max(0.0, deadline - time.monotonic())
    ordered = list(reversed(services))
    for svc in ordered:
        if not hasattr(svc, 'drain'):
            _safe(svc.stop, svc, left())
    for svc in ordered:
        if hasattr(svc, 'drain'):
            _safe(svc.drain, svc, left())
    for svc in ordered:
        if hasattr(svc, 'drain'):
            _safe(svc.stop, svc, left())


def _safe(method, svc, timeout):
    try:
        method(timeout)
    except Exception:
        LOG.exception('Stopping %s failed', getattr(svc, 'binary', svc))
