"""The volume service as one of migrator's services: RPC on topic
"volume" as server ``[DEFAULT] host``, and one os-services row per
backend ('host@backend', binary migrator-volume), as Cinder lists its
volume services."""
from oslo_log import log as logging

from migrator import exception
from migrator.objects import service as service_obj
from migrator import service
from migrator.volume import manager as volume_manager

LOG = logging.getLogger(__name__)


class VolumeService(service.Service):

    def __init__(self, host, manager=None, report_interval=None):
        manager = manager or volume_manager.VolumeManager(host)
        super().__init__(host, volume_manager.BINARY, 'volume', manager,
                         report_interval=report_interval)
        self.backend_refs = []

    def _register(self, ctxt):
        self.backend_refs = []
        for backend_host in self.manager.service_hosts():
            try:
                ref = service_obj.Service.get_by_host_and_binary(
                    ctxt, backend_host, self.binary)
            except exception.HostBinaryNotFound:
                ref = service_obj.Service(
                    ctxt, host=backend_host, binary=self.binary,
                    topic=self.topic, version=service_obj.SERVICE_VERSION)
                ref.create()
            else:
                ref.version = service_obj.SERVICE_VERSION
                ref.topic = self.topic
                ref.save()
            ref.heartbeat()
            self.backend_refs.append(ref)
        return self.backend_refs[0]

    def _heartbeat_loop(self):
        while not self._stopping.wait(self.report_interval):
            for ref in self.backend_refs:
                try:
                    ref.heartbeat()
                except Exception:
                    LOG.exception('Heartbeat of %s on %s failed',
                                  self.binary, ref.host)
