"""The conductor's RPC endpoint: it owns multi-host workflows.

Each workflow is a task class in ``migrator.conductor.tasks``; the methods
here only unpack the request and run the task.
"""
from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from migrator.conductor import in_flight
from migrator.conductor import stale_builds
from migrator.conductor import stale_migrations
from migrator.conductor.tasks import build_instance
from migrator.conductor.tasks import live_migrate
from migrator.conductor.tasks import migrate
from migrator import exception
from migrator import instance_events
from migrator import manager
from migrator.rpcapi import conductor as conductor_rpcapi

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


class ConductorManager(manager.Manager):
    target = messaging.Target(version=conductor_rpcapi.ConductorAPI.VERSION)

    def __init__(self, host):
        super().__init__(host, 'conductor')
        self.in_flight = in_flight.InFlight(host)

    def record_interrupted(self, reason):
        self.in_flight.record_interrupted(reason)

    def periodic_tasks(self):
        tasks = [(self.retry_unrecorded_failures,
                  CONF.conductor.unrecorded_failure_retry_interval)]
        if CONF.conductor.stale_migration_timeout:
            tasks.append((self.expire_stale_migrations,
                          CONF.conductor.stale_migration_check_interval))
        if CONF.conductor.stale_build_timeout:
            tasks.append((self.expire_stale_builds,
                          CONF.conductor.stale_migration_check_interval))
        return tasks

    def expire_stale_builds(self, context):
        return stale_migrations.expire_in_every_cell(
            context, CONF.conductor.stale_build_timeout,
            expire_in_cell=stale_builds.expire)

    def retry_unrecorded_failures(self, context):
        return self.in_flight.retry_unrecorded(context)

    def expire_stale_migrations(self, context):
        return stale_migrations.expire_in_every_cell(
            context, CONF.conductor.stale_migration_timeout)

    def ping(self, context, payload):
        return {'host': self.host, 'service': 'conductor',
                'payload': payload}

    # Each workflow records its conductor_<method> event itself (TaskBase
    # .run), so that it rolls back only once the event says why. Expected
    # failures (no host, a failed pre-check) are then logged by
    # oslo.messaging without a traceback.
    @messaging.expected_exceptions(exception.MigratorException)
    def build_instances(self, context, instance, requested_host=None,
                        requested_node=None):
        build_instance.BuildInstanceTask(
            context, instance, requested_host, requested_node).run(
                'conductor_build_instances', self.host)

    @messaging.expected_exceptions(exception.MigratorException)
    def migrate_server(self, context, instance, host, live=True,
                       block_migration=None, force=False, migration=None):
        """The blocking path: a failed check is raised to the caller."""
        if not live:
            with instance_events.recorded(context, instance,
                                          'conductor_migrate_server',
                                          self.host):
                raise exception.Invalid(
                    reason='cold migration goes through '
                           'cold_migrate_server (RPC 1.1)')
        with self.in_flight.track(instance.uuid, migration):
            live_migrate.LiveMigrationTask(
                context, instance, host, block_migration, force,
                migration).run('conductor_migrate_server', self.host)

    @messaging.expected_exceptions(exception.MigratorException)
    def live_migrate_server(self, context, instance, host,
                            block_migration=None, force=False,
                            migration=None):
        """The asynchronous path (seed 000): nobody waits for the answer;
        the outcome is on the instance action and the migration."""
        with self.in_flight.track(instance.uuid, migration):
            live_migrate.LiveMigrationTask(
                context, instance, host, block_migration, force,
                migration).run('conductor_live_migrate_server', self.host)

    @messaging.expected_exceptions(exception.MigratorException)
    def cold_migrate_server(self, context, instance, flavor, host=None,
                            copy_pmem_devices=False, migration=None):
        """Cold migration or resize: answers once the destination has
        claimed room (the move then runs on the computes), or raises
        why no destination would take the instance."""
        migrate.MigrationTask(
            context, instance, flavor, host, copy_pmem_devices,
            migration).run('conductor_migrate_server', self.host)
