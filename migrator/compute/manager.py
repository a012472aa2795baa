"""The compute service's RPC endpoint: it owns one host and its guests."""
from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from migrator.compute import resource_tracker
from migrator import context as migrator_context
from migrator import manager
from migrator.rpcapi import compute as compute_rpcapi
from migrator.virt import driver as virt_driver

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


class ComputeManager(manager.Manager):
    target = messaging.Target(version=compute_rpcapi.ComputeAPI.VERSION)

    def __init__(self, host, driver=None):
        super().__init__(host, 'compute')
        self.driver = driver or virt_driver.load_driver(
            CONF.compute_driver, CONF)
        self.rt = resource_tracker.ResourceTracker(host, self.driver)
        self.service_id = None

    def init_host(self):
        self.driver.init_host(self.host)

    def post_start_hook(self):
        self.update_available_resource(
            migrator_context.get_admin_context())

    def cleanup_host(self):
        self.driver.cleanup_host()

    def periodic_tasks(self):
        return [(self.update_available_resource,
                 CONF.compute.resource_update_interval)]

    def update_available_resource(self, context):
        self.rt.update_available_resource(context)

    # -- RPC methods ------------------------------------------------------
    def ping(self, context, payload):
        return {'host': self.host, 'service': 'compute', 'payload': payload}

    def refresh_resources(self, context):
        self.update_available_resource(context)
