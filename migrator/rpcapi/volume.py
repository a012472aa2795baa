"""RPC client of migrator-volume (topic "volume", server = the volume
service's host, the part of a volume's ``host@backend#pool`` before the
@)."""
from oslo_config import cfg

from migrator.rpcapi import base

CONF = cfg.CONF


class VolumeAPI(base.RPCClientBase):
    """Version history:

    * 1.0 - create_volume, delete_volume, initialize_connection,
      migrate_volume, migrate_volume_completion, get_migration_progress
    * 1.1 - create_migration_target, delete_migration_target (migration
      to a backend of another volume service)
    """
    TOPIC = 'volume'
    VERSION = '1.1'
    UPGRADE_LEVEL = 'volume'
    METHODS = {
        'create_volume': ('1.0', 'cast', ['volume'],
                          'Create the volume\'s data on its backend; the '
                          'volume becomes available, or error.'),
        'delete_volume': ('1.0', 'cast', ['volume'],
                          'Remove the volume\'s data and soft-delete it.'),
        'initialize_connection': (
            '1.0', 'call', ['volume', 'connector'],
            'The connection info a compute host uses to reach the '
            'volume (driver_volume_type and data).'),
        'migrate_volume': (
            '1.0', 'cast', ['volume', 'host', 'force_host_copy'],
            'Move the volume to host@backend#pool: by the backend itself '
            '(driver-assisted), by copying it here (host-assisted, '
            'detached), or by asking the compute that serves it to swap '
            'it (attached).'),
        'migrate_volume_completion': (
            '1.0', 'call', ['volume', 'new_volume', 'error'],
            'End a migration whose data now is (or failed to get) in '
            'new_volume: the volume takes over its data (name_id) and '
            'host, the temporary volume goes. Returns the id kept.'),
        'get_migration_progress': (
            '1.0', 'call', ['volume_id'],
            'How far the volume\'s migration got: a percent string '
            '("42"), "driver-assisted", or None when this service is not '
            'moving it (anymore). Answered at once.'),
        'create_migration_target': (
            '1.1', 'call', ['volume', 'host', 'target_id'],
            'On the destination of a migration between volume services: '
            'create the temporary target volume target_id on '
            'host@backend#pool (record and data) and say where the source '
            'writes: {"target_id", "host", "path", "address"} (address: '
            'this host\'s [DEFAULT] my_ip, None when unset).'),
        'delete_migration_target': (
            '1.1', 'cast', ['target_id'],
            'On the destination of a migration between volume services '
            'that failed: remove the target volume\'s data and record (no '
            'error when it is already gone).'),
    }

    def create_volume(self, ctxt, volume):
        self._prepare('create_volume', server=volume.service_host).cast(
            ctxt, 'create_volume', volume=volume)

    def delete_volume(self, ctxt, volume):
        self._prepare('delete_volume', server=volume.service_host).cast(
            ctxt, 'delete_volume', volume=volume)

    def initialize_connection(self, ctxt, volume, connector):
        return self._prepare('initialize_connection',
                             server=volume.service_host).call(
            ctxt, 'initialize_connection', volume=volume,
            connector=connector)

    def migrate_volume(self, ctxt, volume, host, force_host_copy):
        self._prepare('migrate_volume', server=volume.service_host).cast(
            ctxt, 'migrate_volume', volume=volume, host=host,
            force_host_copy=force_host_copy)

    def migrate_volume_completion(self, ctxt, volume, new_volume, error):
        return self._prepare('migrate_volume_completion',
                             server=volume.service_host,
                             long=True).call(
            ctxt, 'migrate_volume_completion', volume=volume,
            new_volume=new_volume, error=error)

    def get_migration_progress(self, ctxt, service_host, volume_id,
                               timeout):
        return self._prepare('get_migration_progress', server=service_host,
                             timeout=timeout).call(
            ctxt, 'get_migration_progress', volume_id=volume_id)

    def create_migration_target(self, ctxt, service_host, volume, host,
                                target_id, timeout):
        return self._prepare('create_migration_target',
                             server=service_host, timeout=timeout).call(
            ctxt, 'create_migration_target', volume=volume, host=host,
            target_id=target_id)

    def delete_migration_target(self, ctxt, service_host, target_id):
        self._prepare('delete_migration_target',
                      server=service_host).cast(
            ctxt, 'delete_migration_target', target_id=target_id)
