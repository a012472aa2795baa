"""The conductor's RPC endpoint: it owns multi-host workflows.

Each workflow is a task class in ``migrator.conductor.tasks``; the methods
here only unpack the request and run the task.
"""
from concurrent import futures
import threading

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

#: Asynchronous live migrations whose pre-checks run at once, in the
#: conductor's own threads (as many as oslo.messaging's default
#: executor_thread_pool_size, which ran them before).
PRE_CHECK_WORKERS = 64


class ConductorManager(manager.Manager):
    target = messaging.Target(version=conductor_rpcapi.ConductorAPI.VERSION)

    def __init__(self, host):
        super().__init__(host, 'conductor')
        self.in_flight = in_flight.InFlight(host)
        self._pre_checks = futures.ThreadPoolExecutor(
            max_workers=PRE_CHECK_WORKERS,
            thread_name_prefix='live-migration-pre-checks')
        # Future -> its in_flight key, until it is done.
        self._pre_checks_running = {}
        # Reentrant: a future cancelled under it calls _pre_checks_done.
        self._pre_checks_lock = threading.RLock()

    def drain(self, timeout):
        """No queued pre-check starts; those running get ``timeout``
        seconds; each left (never started, or still running) is recorded
        as interrupted: its migration ends ``error``, its server is
        released."""
        with self._pre_checks_lock:
            pending = dict(self._pre_checks_running)
            self._pre_checks.shutdown(wait=False, cancel_futures=True)
        futures.wait(list(pending), timeout=timeout)
        cut_short = {key for future, key in pending.items()
                     if future.cancelled() or not future.done()}
        if cut_short:
            self.in_flight.record_interrupted(
                'stopped before the pre-checks finished', keys=cut_short)

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
        self.run_live_migration(context, instance, host, block_migration,
                                force, migration,
                                event='conductor_migrate_server')

    def live_migrate_server(self, context, instance, host,
                            block_migration=None, force=False,
                            migration=None):
        """The asynchronous path (seed 000): nobody waits for the answer;
        the outcome is on the instance action and the migration.

        The cast returns at once and the pre-checks run in the
        conductor's own threads: run in the RPC server's, each held one
        of its 64 while it waited on a compute, and after a broker
        restart (whose replies are lost, so each waited out
        rpc_response_timeout) nothing else -- a ping, a blocking
        migration -- was answered until they timed out."""
        key = self.in_flight.add(instance.uuid, migration)
        args = (key, context, instance, host, block_migration, force,
                migration)
        with self._pre_checks_lock:
            try:
                future = self._pre_checks.submit(self._live_migrate, *args)
            except RuntimeError:
                future = None   # draining: run it here, as a call would
            else:
                self._pre_checks_running[future] = key
                future.add_done_callback(self._pre_checks_done)
        if future is None:
            self._live_migrate(*args)

    def _pre_checks_done(self, future):
        with self._pre_checks_lock:
            self._pre_checks_running.pop(future, None)

    def _live_migrate(self, key, context, instance, *args):
        # The request's id in this thread's log lines too.
        context.update_store()
        try:
            self.run_live_migration(context, instance, *args, key=key)
        except exception.MigratorException:
            pass   # logged, recorded and rolled back by the task
        except Exception:
            LOG.exception('Live migration pre-checks of %s failed',
                          instance.uuid)

    def run_live_migration(self, context, instance, host,
                           block_migration=None, force=False,
                           migration=None, key=None,
                           event='conductor_live_migrate_server'):
        """The pre-checks and the hand-off to the source, in this thread,
        recorded as ``event``; raises what failed. ``key``: its
        ``in_flight`` entry, if already counted."""
        if key is None:
            key = self.in_flight.add(instance.uuid, migration)
        with self.in_flight.running(key, instance.uuid, migration):
            live_migrate.LiveMigrationTask(
                context, instance, host, block_migration, force,
                migration).run(event, self.host)

    @messaging.expected_exceptions(exception.MigratorException)
    def cold_migrate_server(self, context, instance, flavor, host=None,
                            copy_pmem_devices=False, migration=None):
        """Cold migration or resize: answers once the destination has
        claimed room (the move then runs on the computes), or raises
        why no destination would take the instance."""
        migrate.MigrationTask(
            context, instance, flavor, host, copy_pmem_devices,
            migration).run('conductor_migrate_server', self.host)
