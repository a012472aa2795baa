"""The workflows a conductor is running, so that a stop that cannot wait
for them (graceful_shutdown_timeout passed, a pre-check call still out)
records them instead of leaving their servers MIGRATING: each accepted
migration ends ``error``, its action is closed, its server released.

The same when a workflow raises and its own roll-back could not record
that (the database refused it too, e.g. "Too many connections"): the
failure is recorded here, and if the database still refuses, kept and
retried by the conductor's periodic ``retry_unrecorded`` instead of
leaving the migration ``accepted`` until the stale-migration expiry."""
import contextlib
import threading

from oslo_log import log as logging

from migrator import context as migrator_context
from migrator import exception
from migrator import interrupted
from migrator.objects import instance_action
from migrator.objects import migration as migration_obj

LOG = logging.getLogger(__name__)

#: Statuses in which the conductor still owns a live migration.
CONDUCTOR_OWNED = ('accepted',)


class InFlight:
    def __init__(self, host):
        self.host = host
        self._lock = threading.Lock()
        self._running = {}
        self._unrecorded = []

    def add(self, instance_uuid, migration):
        """Count a workflow in flight from now, before it starts (a stop
        then records one still waiting for a thread); returns the key
        for ``running``."""
        key = object()
        with self._lock:
            self._running[key] = (instance_uuid,
                                  migration.uuid if migration else None)
        return key

    @contextlib.contextmanager
    def running(self, key, instance_uuid, migration):
        """The workflow ``add`` counted runs in this block: a failure is
        recorded, and at the end it no longer counts."""
        try:
            yield
        except Exception as exc:
            if migration is not None:
                self._record_or_keep(_Failure(
                    instance_uuid, migration.uuid,
                    'conductor on %s: workflow failed: %s'
                    % (self.host, str(exc).splitlines()[0] if str(exc)
                       else type(exc).__name__)))
            raise
        finally:
            with self._lock:
                self._running.pop(key, None)

    def track(self, instance_uuid, migration):
        """``add`` and ``running`` at once: a workflow that starts now."""
        return self.running(self.add(instance_uuid, migration),
                            instance_uuid, migration)

    def _record_or_keep(self, failure):
        try:
            failure.record(migrator_context.get_admin_context())
        except Exception as exc:
            LOG.warning('Could not record the failure of live migration %s '
                        'of %s (%s); retrying later', failure.migration_uuid,
                        failure.instance_uuid, exc)
            with self._lock:
                self._unrecorded.append(failure)

    def retry_unrecorded(self, context):
        """Periodic: record the failures the database refused before;
        returns how many are still unrecorded."""
        with self._lock:
            pending, self._unrecorded = self._unrecorded, []
        for failure in pending:
            self._record_or_keep(failure)
        with self._lock:
            return len(self._unrecorded)

    def __len__(self):
        with self._lock:
            return len(self._running)

    def record_interrupted(self, reason, keys=None):
        """End every workflow in flight (or those of ``keys``, from
        ``add``) as cut short by ``reason``."""
        with self._lock:
            running = [entry for key, entry in self._running.items()
                       if keys is None or key in keys]
        context = migrator_context.get_admin_context()
        reason = 'conductor on %s %s' % (self.host, reason)
        for instance_uuid, migration_uuid in running:
            if migration_uuid is None:
                continue
            try:
                migration = migration_obj.Migration.get_by_uuid(
                    context, migration_uuid)
            except exception.MigrationNotFound:
                continue
            migration.status = 'error'
            if not migration.save(expected_status=list(CONDUCTOR_OWNED)):
                continue  # a compute owns it now
            LOG.warning('Live migration %s of %s interrupted in its '
                        'pre-checks (%s); marked error', migration_uuid,
                        instance_uuid, reason)
            interrupted.close_action(context, migration, reason)
            interrupted.release_instance(context, instance_uuid)


class _Failure:
    """A failed workflow's outcome, recorded in idempotent steps so that a
    retry after a database error carries on where it stopped."""

    def __init__(self, instance_uuid, migration_uuid, reason):
        self.instance_uuid = instance_uuid
        self.migration_uuid = migration_uuid
        self.reason = reason
        self.ended = False

    def record(self, context):
        if not self.ended:
            try:
                migration = migration_obj.Migration.get_by_uuid(
                    context, self.migration_uuid)
            except exception.MigrationNotFound:
                return
            if migration.status not in CONDUCTOR_OWNED:
                return  # its roll-back recorded it, or a compute owns it
            migration.status = 'error'
            if not migration.save(expected_status=list(CONDUCTOR_OWNED)):
                return
            self.ended = True
            LOG.warning('Live migration %s of %s failed in its pre-checks '
                        '(%s); marked error', self.migration_uuid,
                        self.instance_uuid, self.reason)
        # Raises on a database error (unlike interrupted.close_action):
        # the retry closes it then.
        instance_action.InstanceAction.close_interrupted(
            context, self.instance_uuid, 'live-migration', self.reason)
        interrupted.release_instance(context, self.instance_uuid)
