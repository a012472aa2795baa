"""The conductor's RPC endpoint: it owns multi-host workflows.

Each workflow is a task class in ``migrator.conductor.tasks``; the methods
here only unpack the request and run the task.
"""
from oslo_log import log as logging
import oslo_messaging as messaging

from migrator import manager
from migrator.rpcapi import conductor as conductor_rpcapi

LOG = logging.getLogger(__name__)


class ConductorManager(manager.Manager):
    target = messaging.Target(version=conductor_rpcapi.ConductorAPI.VERSION)

    def __init__(self, host):
        super().__init__(host, 'conductor')

    def ping(self, context, payload):
        return {'host': self.host, 'service': 'conductor',
                'payload': payload}
