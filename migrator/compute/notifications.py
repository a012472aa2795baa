"""Versioned notifications of live-migration progress and outcome.

``migration.progress`` while a migration runs (at most every
``[notifications] migration_progress_interval`` seconds per migration) and
``migration.end`` once when it ends, on the ``versioned_notifications``
topic, for Watcher-style consumers. The payload is versioned like Nova's:
``{"migrator_object.name": ..., "migrator_object.version": ...,
"migrator_object.data": {...}}``; fields are only ever added within a
major version.
"""
import threading
import time

from oslo_config import cfg
from oslo_log import log as logging

from migrator import rpc

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

PAYLOAD_NAME = 'MigrationProgressPayload'
PAYLOAD_VERSION = '1.0'
_DETAIL_KEYS = ('percent', 'transfer_rate', 'dirty_rate', 'iteration',
                'expected_downtime_ms', 'eta_seconds', 'phases')
_MIGRATION_KEYS = ('uuid', 'id', 'instance_uuid', 'status',
                   'migration_type', 'source_compute', 'dest_compute',
                   'memory_total', 'memory_processed', 'memory_remaining',
                   'disk_total', 'disk_processed', 'disk_remaining')


def payload(instance, migration):
    data = {key: getattr(migration, key) for key in _MIGRATION_KEYS}
    detail = migration.progress_detail or {}
    data.update({key: detail.get(key) for key in _DETAIL_KEYS})
    data['instance_name'] = instance.display_name
    data['project_id'] = instance.project_id
    return {'migrator_object.name': PAYLOAD_NAME,
            'migrator_object.namespace': 'migrator',
            'migrator_object.version': PAYLOAD_VERSION,
            'migrator_object.data': data}


class MigrationNotifier:
    def __init__(self, host, clock=time.monotonic):
        self.host = host
        self._clock = clock
        self._last = {}
        self._lock = threading.Lock()

    def _notifier(self):
        return rpc.get_notifier('compute.%s' % self.host)

    def progress(self, context, instance, migration):
        interval = CONF.notifications.migration_progress_interval
        if not interval:
            return
        now = self._clock()
        with self._lock:
            last = self._last.get(migration.id)
            if last is not None and now - last < interval:
                return
            self._last[migration.id] = now
        self._send(context, 'migration.progress', instance, migration)

    def end(self, context, instance, migration):
        with self._lock:
            self._last.pop(migration.id, None)
        self._send(context, 'migration.end', instance, migration)

    def _send(self, context, event_type, instance, migration):
        try:
            self._notifier().info(context, event_type,
                                  payload(instance, migration))
        except Exception:
            # A notification is a courtesy: never let it stop a migration.
            LOG.exception('Could not send %s for migration %s', event_type,
                          migration.uuid)
