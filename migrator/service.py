"""Run a manager as a service: RPC server, Service record, heartbeat,
periodic tasks, and a clean stop on SIGTERM."""
import signal
import threading

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

    def stop(self, timeout=None):
        """Stop serving; wait up to ``timeout`` seconds for in-flight
        requests, then record what is still running as interrupted."""
        if timeout is None:
            timeout = CONF.graceful_shutdown_timeout
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


def serve_until_signalled(services):
    """Start ``services`` and block until SIGTERM or SIGINT, then stop them
    in reverse order."""
    stop = threading.Event()

    def _on_signal(signum, frame):
        LOG.info('Caught %s, stopping', signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, _on_signal)
                for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for svc in services:
            svc.start()
        while not stop.wait(1):
            pass
    finally:
        for svc in reversed(services):
            try:
                svc.stop()
            except Exception:
                LOG.exception('Stopping %s failed', svc.binary)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
