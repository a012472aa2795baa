"""RPC client of migrator-conductor (topic "conductor")."""
from oslo_config import cfg

from migrator.rpcapi import base

CONF = cfg.CONF


class ConductorAPI(base.RPCClientBase):
    """Version history:

    * 1.0 - ping, build_instances, migrate_server, live_migrate_server
    * 1.1 - cold_migrate_server (cold migration and resize, seed 003)
    """
    TOPIC = 'conductor'
    VERSION = '1.1'
    UPGRADE_LEVEL = 'conductor'
    METHODS = {
        'ping': ('1.0', 'call', ['payload'],
                 'Answer with the conductor host and the payload echoed; '
                 'used by health checks and tests.'),
        'build_instances': ('1.0', 'cast',
                            ['instance', 'requested_host',
                             'requested_node'],
                            'Schedule a new instance to a host (or the '
                            'requested one) and have that compute build '
                            'it; on failure the instance goes to ERROR '
                            'with a fault.'),
        'migrate_server': ('1.0', 'call',
                           ['instance', 'host', 'live', 'block_migration',
                            'force', 'migration'],
                           'Blocking live migration (microversions below '
                           '2.34): run the pre-checks and answer only once '
                           'they passed (the migration then runs on) or '
                           'raise the failed check.'),
        'live_migrate_server': ('1.0', 'cast',
                                ['instance', 'host', 'block_migration',
                                 'force', 'migration'],
                                'Asynchronous live migration (2.34 and '
                                'later, seed 000): the same pre-checks, '
                                'their outcome recorded only on the '
                                'instance action and the migration. The '
                                'pre-checks run in the conductor\'s own '
                                'pool, so those waiting on computes never '
                                'hold the RPC server\'s threads; a stop '
                                'gives them graceful_shutdown_timeout, '
                                'then records those left as '
                                'interrupted.'),
        'cold_migrate_server': ('1.1', 'call',
                                ['instance', 'flavor', 'host',
                                 'copy_pmem_devices', 'migration'],
                                'Cold migration (flavor unchanged) or '
                                'resize: pick or check the destination and '
                                'have it claim room (prep_resize); answers '
                                'once the move is under way, or raises '
                                'why it cannot start (no valid host).'),
    }

    def ping(self, ctxt, payload):
        return self._prepare('ping').call(ctxt, 'ping', payload=payload)

    def build_instances(self, ctxt, instance, requested_host=None,
                        requested_node=None):
        self._prepare('build_instances').cast(
            ctxt, 'build_instances', instance=instance,
            requested_host=requested_host, requested_node=requested_node)

    def migrate_server(self, ctxt, instance, host, live=True,
                       block_migration=None, force=False, migration=None):
        return self._prepare('migrate_server',
                             long=True).call(
            ctxt, 'migrate_server', instance=instance, host=host, live=live,
            block_migration=block_migration, force=force,
            migration=migration)

    def live_migrate_server(self, ctxt, instance, host,
                            block_migration=None, force=False,
                            migration=None):
        self._prepare('live_migrate_server').cast(
            ctxt, 'live_migrate_server', instance=instance, host=host,
            block_migration=block_migration, force=force,
            migration=migration)

    def cold_migrate_server(self, ctxt, instance, flavor, host,
                            copy_pmem_devices, migration):
        return self._prepare('cold_migrate_server',
                             long=True).call(
            ctxt, 'cold_migrate_server', instance=instance, flavor=flavor,
            host=host, copy_pmem_devices=copy_pmem_devices,
            migration=migration)
