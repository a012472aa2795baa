"""The workflows a conductor is running, so that a stop that cannot wait
for them (graceful_shutdown_timeout passed, a pre-check call still out)
records them instead of leaving their servers MIGRATING: each accepted
migration ends ``error``, its action is closed, its server released."""
import contextlib
import threading

from oslo_log import log as logging

from migrator import context as migrator_context
from migrator import exception
from migrator import interrupted
from migrator.objects import migration as migration_obj

LOG = logging.getLogger(__name__)

#: Statuses in which the conductor still owns a live migration.
CONDUCTOR_OWNED = ('accepted',)


class InFlight:
    def __init__(self, host):
        self.host = host
        self._lock = threading.Lock()
        self._running = {}

    @contextlib.contextmanager
    def track(self, instance_uuid, migration):
        key = object()
        with self._lock:
            self._running[key] = (instance_uuid,
                                  migration.uuid if migration else None)
        try:
            yield
        finally:
            with self._lock:
                self._running.pop(key, None)

    def __len__(self):
        with self._lock:
            return len(self._running)

    def record_interrupted(self, reason):
        with self._lock:
            running = list(self._running.values())
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
