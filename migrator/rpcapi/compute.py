"""RPC client of migrator-compute (topic "compute", server = host name)."""
from oslo_config import cfg

from migrator.rpcapi import base

CONF = cfg.CONF


class ComputeAPI(base.RPCClientBase):
    """Version history:

    * 1.0 - ping, refresh_resources, build_and_run_instance,
      terminate_instance, and live migration: check_can_live_migrate_*,
      pre_live_migration, live_migration, post_live_migration_at_destination,
      rollback_live_migration_at_destination, live_migration_force_complete,
      live_migration_abort
    * 1.1 - cold migration and resize (seed 003): prep_resize,
      resize_instance, finish_resize, cleanup_resize_at_destination,
      confirm_resize, revert_resize, finish_revert_resize
    * 1.2 - runtime controls of a running live migration (compute API
      2.107): live_migration_set_max_downtime, live_migration_set_bandwidth,
      live_migration_switch_to_post_copy
    * 1.3 - get_host_uptime (os-hypervisors uptime, compute API below 2.88)
    """
    TOPIC = 'compute'
    VERSION = '1.3'
    UPGRADE_LEVEL = 'compute'
    METHODS = {
        'ping': ('1.0', 'call', ['payload'],
                 'Answer with the compute host and the payload echoed.'),
        'refresh_resources': ('1.0', 'cast', [],
                              'Report the host\'s inventory and usage into '
                              'its compute node record now.'),
        'build_and_run_instance': ('1.0', 'cast', ['instance', 'node'],
                                   'Create and start the instance on this '
                                   'host; ACTIVE on success, ERROR with a '
                                   'fault on failure.'),
        'terminate_instance': ('1.0', 'cast', ['instance'],
                               'Destroy the guest and soft-delete the '
                               'instance.'),
        'check_can_live_migrate_destination': (
            '1.0', 'call', ['instance', 'block_migration', 'migration'],
            'On the destination: can the instance come here? Asks the '
            'source in turn; returns the migrate_data dict.'),
        'check_can_live_migrate_source': (
            '1.0', 'call', ['instance', 'dest_check_data'],
            'On the source: can the instance leave? Returns migrate_data.'),
        'pre_live_migration': (
            '1.0', 'call', ['instance', 'migration', 'migrate_data'],
            'On the destination: prepare to receive the guest.'),
        'live_migration': (
            '1.0', 'cast', ['instance', 'dest', 'migration', 'migrate_data'],
            'On the source: queue, prepare, transfer and monitor the live '
            'migration, then finish it or roll it back.'),
        'post_live_migration_at_destination': (
            '1.0', 'call', ['instance', 'migration', 'migrate_data'],
            'On the destination: the guest is here now; take it over.'),
        'rollback_live_migration_at_destination': (
            '1.0', 'call', ['instance', 'migration', 'migrate_data'],
            'On the destination: undo pre_live_migration after a failure.'),
        'live_migration_force_complete': (
            '1.0', 'cast', ['instance', 'migration_id'],
            'On the source: make a running live migration finish (post-copy '
            'if permitted, otherwise pause the guest).'),
        'live_migration_abort': (
            '1.0', 'cast', ['instance', 'migration_id'],
            'On the source: cancel a queued, preparing or running live '
            'migration; the guest stays on the source.'),
        'live_migration_set_max_downtime': (
            '1.2', 'cast', ['instance', 'migration_id', 'milliseconds'],
            'On the source: set the maximum downtime (ms) of a running '
            'live migration now; its downtime steps stop.'),
        'live_migration_set_bandwidth': (
            '1.2', 'cast', ['instance', 'migration_id', 'mib_per_s'],
            'On the source: cap the bandwidth (MiB/s, 0: no cap) of a '
            'running live migration now.'),
        'live_migration_switch_to_post_copy': (
            '1.2', 'cast', ['instance', 'migration_id'],
            'On the source: switch a running live migration to post-copy '
            '(fails when post-copy was not permitted at its start).'),
        'get_host_uptime': (
            '1.3', 'call', [],
            'The host\'s uptime(1) line: time, uptime, users and load '
            'averages.'),
        'prep_resize': (
            '1.1', 'call', ['instance', 'flavor', 'migration',
                            'copy_pmem_devices'],
            'On the destination of a cold migration or resize: claim room '
            'and PMEM namespaces for the new flavor, record the migration '
            'context, then cast resize_instance to the source.'),
        'resize_instance': (
            '1.1', 'cast', ['instance', 'migration'],
            'On the source: power the guest off, copy its PMEM namespaces '
            'to the destination when asked (progress on the Migration), '
            'then cast finish_resize; on failure clean the destination '
            'and bring the guest back here.'),
        'finish_resize': (
            '1.1', 'cast', ['instance', 'migration'],
            'On the destination: define and start the guest with its new '
            'flavor and namespaces; the server goes to VERIFY_RESIZE.'),
        'cleanup_resize_at_destination': (
            '1.1', 'call', ['instance', 'migration'],
            'On the destination after a failed move: remove the guest if '
            'defined, zero and free the namespaces claimed for it.'),
        'confirm_resize': (
            '1.1', 'cast', ['instance', 'migration'],
            'On the source: remove the stopped guest, zero and free its '
            'old namespaces; the migration is confirmed.'),
        'revert_resize': (
            '1.1', 'cast', ['instance', 'migration'],
            'On the destination: remove the guest, zero and free its new '
            'namespaces, then cast finish_revert_resize to the source.'),
        'finish_revert_resize': (
            '1.1', 'cast', ['instance', 'migration'],
            'On the source: restore the old flavor and start the guest '
            'again with its original namespaces; the migration is '
            'reverted.'),
    }

    def ping(self, ctxt, host, payload):
        return self._prepare('ping', server=host).call(
            ctxt, 'ping', payload=payload)

    def refresh_resources(self, ctxt, host):
        self._prepare('refresh_resources', server=host).cast(
            ctxt, 'refresh_resources')

    def get_host_uptime(self, ctxt, host, timeout=None):
        # A short question: the API answers the client at once when the
        # compute does not.
        return self._prepare('get_host_uptime', server=host,
                             timeout=timeout).call(ctxt, 'get_host_uptime')

    def build_and_run_instance(self, ctxt, instance, host, node=None):
        self._prepare('build_and_run_instance', server=host).cast(
            ctxt, 'build_and_run_instance', instance=instance, node=node)

    def terminate_instance(self, ctxt, instance, host):
        self._prepare('terminate_instance', server=host).cast(
            ctxt, 'terminate_instance', instance=instance)

    def check_can_live_migrate_destination(self, ctxt, instance, dest,
                                           block_migration, migration):
        return self._prepare('check_can_live_migrate_destination',
                             server=dest,
                             long=True).call(
            ctxt, 'check_can_live_migrate_destination', instance=instance,
            block_migration=block_migration, migration=migration)

    def check_can_live_migrate_source(self, ctxt, instance,
                                      dest_check_data):
        return self._prepare('check_can_live_migrate_source',
                             server=instance.host).call(
            ctxt, 'check_can_live_migrate_source', instance=instance,
            dest_check_data=dest_check_data)

    def pre_live_migration(self, ctxt, instance, dest, migration,
                           migrate_data):
        return self._prepare('pre_live_migration', server=dest,
                             long=True).call(
            ctxt, 'pre_live_migration', instance=instance,
            migration=migration, migrate_data=migrate_data)

    def live_migration(self, ctxt, instance, dest, migration, migrate_data):
        self._prepare('live_migration', server=instance.host).cast(
            ctxt, 'live_migration', instance=instance, dest=dest,
            migration=migration, migrate_data=migrate_data)

    def post_live_migration_at_destination(self, ctxt, instance, dest,
                                           migration, migrate_data):
        return self._prepare('post_live_migration_at_destination',
                             server=dest,
                             long=True).call(
            ctxt, 'post_live_migration_at_destination', instance=instance,
            migration=migration, migrate_data=migrate_data)

    def rollback_live_migration_at_destination(self, ctxt, instance, dest,
                                               migration, migrate_data):
        # A short timeout: a roll-back that cannot reach the destination
        # is recorded and retried, never waited on.
        return self._prepare('rollback_live_migration_at_destination',
                             server=dest).call(
            ctxt, 'rollback_live_migration_at_destination',
            instance=instance, migration=migration,
            migrate_data=migrate_data)

    def live_migration_force_complete(self, ctxt, instance, migration_id):
        self._prepare('live_migration_force_complete',
                      server=instance.host).cast(
            ctxt, 'live_migration_force_complete', instance=instance,
            migration_id=migration_id)

    def live_migration_abort(self, ctxt, instance, migration_id):
        self._prepare('live_migration_abort', server=instance.host).cast(
            ctxt, 'live_migration_abort', instance=instance,
            migration_id=migration_id)

    # -- runtime controls of a live migration (1.2) -------------------------
    def live_migration_set_max_downtime(self, ctxt, instance, migration_id,
                                        milliseconds):
        self._prepare('live_migration_set_max_downtime',
                      server=instance.host).cast(
            ctxt, 'live_migration_set_max_downtime', instance=instance,
            migration_id=migration_id, milliseconds=milliseconds)

    def live_migration_set_bandwidth(self, ctxt, instance, migration_id,
                                     mib_per_s):
        self._prepare('live_migration_set_bandwidth',
                      server=instance.host).cast(
            ctxt, 'live_migration_set_bandwidth', instance=instance,
            migration_id=migration_id, mib_per_s=mib_per_s)

    def live_migration_switch_to_post_copy(self, ctxt, instance,
                                           migration_id):
        self._prepare('live_migration_switch_to_post_copy',
                      server=instance.host).cast(
            ctxt, 'live_migration_switch_to_post_copy', instance=instance,
            migration_id=migration_id)

    # -- cold migration and resize (1.1) ------------------------------------
    def prep_resize(self, ctxt, instance, dest, flavor, migration,
                    copy_pmem_devices):
        return self._prepare('prep_resize', server=dest,
                             long=True).call(
            ctxt, 'prep_resize', instance=instance, flavor=flavor,
            migration=migration, copy_pmem_devices=copy_pmem_devices)

    def resize_instance(self, ctxt, instance, migration):
        self._prepare('resize_instance',
                      server=migration.source_compute).cast(
            ctxt, 'resize_instance', instance=instance, migration=migration)

    def finish_resize(self, ctxt, instance, migration):
        self._prepare('finish_resize', server=migration.dest_compute).cast(
            ctxt, 'finish_resize', instance=instance, migration=migration)

    def cleanup_resize_at_destination(self, ctxt, instance, migration):
        # A short question: if the destination does not answer, it
        # cleans up by itself (its periodic reap of stale claims).
        return self._prepare('cleanup_resize_at_destination',
                             server=migration.dest_compute).call(
            ctxt, 'cleanup_resize_at_destination', instance=instance,
            migration=migration)

    def confirm_resize(self, ctxt, instance, migration):
        self._prepare('confirm_resize',
                      server=migration.source_compute).cast(
            ctxt, 'confirm_resize', instance=instance, migration=migration)

    def revert_resize(self, ctxt, instance, migration):
        self._prepare('revert_resize', server=migration.dest_compute).cast(
            ctxt, 'revert_resize', instance=instance, migration=migration)

    def finish_revert_resize(self, ctxt, instance, migration):
        self._prepare('finish_revert_resize',
                      server=migration.source_compute).cast(
            ctxt, 'finish_revert_resize', instance=instance,
            migration=migration)
