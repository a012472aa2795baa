"""The volume service's RPC endpoint: it owns the backends named in
``[DEFAULT] enabled_backends`` on this host, their volumes, and the
migrations out of them."""
import threading

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_utils import timeutils

from migrator import context as migrator_context
from migrator import exception
from migrator import manager
from migrator import migration_progress as progress
from migrator.objects import volume as volume_obj
from migrator.rpcapi import compute_volumes as compute_volumes_rpcapi
from migrator.rpcapi import volume as volume_rpcapi
from migrator.volume import backends as volume_backends
from migrator.volume import migration

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

BINARY = 'migrator-volume'


class VolumeManager(manager.Manager):
    target = messaging.Target(version=volume_rpcapi.VolumeAPI.VERSION)

    def __init__(self, host, backends=None):
        super().__init__(host, 'volume')
        if backends is None:
            backends = [volume_backends.load(CONF, host, name)
                        for name in CONF.enabled_backends]
        if not backends:
            raise exception.ConfigurationError(
                reason='[DEFAULT] enabled_backends names no backend: a '
                       'volume service needs at least one')
        self.backends = {b.section: b for b in backends}
        # The address volume services of other hosts copy to this one at
        # (None: they are all on this machine).
        self.my_ip = CONF.my_ip
        self.progress = progress.ProgressBoard()
        self._compute_volumes = None
        self._volume_rpcapi = None
        self._lock = threading.Lock()
        self._running = {}    # volume uuid -> (thread, cancel event)

    @property
    def compute_volumes(self):
        if self._compute_volumes is None:
            self._compute_volumes = \
                compute_volumes_rpcapi.ComputeVolumeAPI()
        return self._compute_volumes

    @property
    def volume_rpcapi(self):
        """The volume RPC client, to the volume services of other hosts
        (migrations between them)."""
        if self._volume_rpcapi is None:
            self._volume_rpcapi = volume_rpcapi.VolumeAPI()
        return self._volume_rpcapi

    def service_hosts(self):
        """The 'host@backend' of each backend: one os-services row each,
        as Cinder has."""
        return [b.service_host for b in self.backends.values()]

    def backend_and_pool(self, host_string):
        """(backend, pool) that 'host@backend[#pool]' names on this
        service; InvalidHost otherwise."""
        host, section, pool = volume_obj.host_parts(host_string)
        backend = self.backends.get(section)
        if host != self.host or backend is None:
            raise exception.InvalidHost(
                reason='%s is not a backend of volume service %s'
                % (host_string, self.host))
        pool = pool or backend.pools[0]
        if not backend.has_pool(pool):
            raise exception.InvalidHost(
                reason='backend %s has no pool %s'
                % (backend.service_host, pool))
        return backend, pool

    # -- service life -------------------------------------------------------
    def init_host(self):
        for backend in self.backends.values():
            backend.start()
        self._recover(migrator_context.get_admin_context())

    def _recover(self, context):
        """End the migrations a previous run of this service left: a copy
        that was cut short is undone (the volume stays where it was, with
        its data); an array move that had finished is completed."""
        for volume in volume_obj.VolumeList.get_migrating_on_host(
                context, self.host):
            status = volume.migration_status or ''
            if status.startswith(volume_obj.TARGET_PREFIX):
                continue
            if volume.migration_method == volume_obj.ATTACHED_SWAP:
                # The compute copies and will call back; nothing here ran.
                continue
            LOG.warning('Volume %s was migrating (%s, %s) when this '
                        'service stopped; ending the migration', volume.uuid,
                        volume.migration_method, status)
            self._end_interrupted(context, volume)
        # Targets whose migration is no longer running.
        for target in volume_obj.VolumeList.get_migrating_on_host(
                context, self.host):
            status = target.migration_status or ''
            if not status.startswith(volume_obj.TARGET_PREFIX):
                continue
            source_id = status[len(volume_obj.TARGET_PREFIX):]
            try:
                source = volume_obj.Volume.get_by_uuid(context, source_id)
            except exception.VolumeNotFound:
                source = None
            if source is None or \
                    source.migration_status not in \
                    volume_obj.MIGRATION_ACTIVE:
                LOG.info('Deleting target %s of an ended migration of %s',
                         target.uuid, source_id)
                migration.delete_target(self, target)

    def _end_interrupted(self, context, volume):
        try:
            if volume.migration_method == volume_obj.DRIVER_ASSISTED and \
                    volume.migration_dest_host:
                dest, dest_pool = self.backend_and_pool(
                    volume.migration_dest_host)
                if dest.exists(volume.name, dest_pool) and \
                        not dest.exists(volume.name, volume.pool):
                    volume.host = volume.migration_dest_host
                    migration.VolumeMigrationTask(
                        self, context, volume, volume.host
                    )._finish_success()
                    return
        except (exception.InvalidHost, exception.UnsafePath):
            # Unknown backend, or a record naming a file outside it
            # (logged): the migration just fails; the service starts.
            pass
        migration.fail(volume)
        # A target on another volume service is deleted by that service.
        for target in volume_obj.VolumeList.get_by_filters(
                context, {'migration_status':
                          volume_obj.TARGET_PREFIX + volume.uuid}):
            if target.service_host != self.host:
                LOG.info('Asking volume service %s to delete target %s of '
                         'the ended migration of %s', target.service_host,
                         target.uuid, volume.uuid)
                migration.cast_delete_target(self, target.service_host,
                                             target.uuid)

    def cleanup_host(self):
        self.record_interrupted('service stopped')

    def record_interrupted(self, reason):
        """Cancel the copies in flight; each undoes itself (target
        deleted, volume back where it was) before its thread ends."""
        with self._lock:
            running = list(self._running.values())
        for _thread, cancel in running:
            cancel.set()
        for thread, _cancel in running:
            thread.join(timeout=30)

    # -- RPC methods ----------------------------------------------------------
    def ping(self, context, payload):
        return {'host': self.host, 'service': 'volume', 'payload': payload}

    def create_volume(self, context, volume):
        try:
            backend, pool = self.backend_and_pool(volume.host)
            # The API names the backend; the service picks the pool.
            volume.host = backend.host_string(pool)
            backend.create(volume.name, volume.size, pool)
        except Exception:
            LOG.exception('Creating volume %s on %s failed', volume.uuid,
                          volume.host)
            volume.status = volume_obj.ERROR
            volume.save()
            return
        volume.status = volume_obj.AVAILABLE
        volume.launched_at = timeutils.utcnow()
        volume.save()
        LOG.info('Volume %s (%d GiB) created on %s', volume.uuid,
                 volume.size, volume.host)

    def delete_volume(self, context, volume):
        try:
            backend, pool = self.backend_and_pool(volume.host)
            backend.delete(volume.name, pool)
        except Exception:
            LOG.exception('Deleting volume %s on %s failed', volume.uuid,
                          volume.host)
            volume.status = volume_obj.ERROR_DELETING
            volume.save()
            return
        volume.destroy()
        LOG.info('Volume %s deleted from %s', volume.uuid, volume.host)

    @messaging.expected_exceptions(exception.MigratorException)
    def initialize_connection(self, context, volume, connector=None):
        backend, pool = self.backend_and_pool(volume.host)
        return backend.connection_info(volume.name, pool)

    def migrate_volume(self, context, volume, host, force_host_copy=False):
        cancel = threading.Event()
        task = migration.VolumeMigrationTask(self, context, volume, host,
                                             force_host_copy, cancel)
        thread = threading.Thread(target=self._run_migration,
                                  args=(task,), daemon=True,
                                  name='volume-migration-%s' % volume.uuid)
        with self._lock:
            self._running[volume.uuid] = (thread, cancel)
        thread.start()

    def _run_migration(self, task):
        try:
            task.execute()
        except Exception as exc:
            try:
                task.rollback(exc)
            except Exception:
                LOG.exception('Rolling back the migration of volume %s '
                              'failed', task.volume.uuid)
        finally:
            with self._lock:
                self._running.pop(task.volume.uuid, None)

    @messaging.expected_exceptions(exception.MigratorException)
    def migrate_volume_completion(self, context, volume, new_volume,
                                  error=False):
        expected = volume_obj.TARGET_PREFIX + volume.uuid
        if new_volume.migration_status != expected:
            raise exception.InvalidVolume(
                reason='volume %s is not the migration target of %s'
                % (new_volume.uuid, volume.uuid))
        if error:
            LOG.error('Migration of volume %s into %s failed', volume.uuid,
                      new_volume.uuid)
            migration.delete_target(self, new_volume)
            migration.fail(volume)
            return volume.uuid
        migration.complete(self, context, volume, new_volume)
        return volume.uuid

    @messaging.expected_exceptions(exception.MigratorException)
    def create_migration_target(self, context, volume, host, target_id):
        """On the destination of a migration from another volume service:
        the target volume, and where its data is for the source to write
        it."""
        backend, pool = self.backend_and_pool(host)
        current = volume_obj.Volume.get_by_uuid(context, volume.uuid)
        if current.migration_status not in volume_obj.MIGRATION_ACTIVE:
            # A request that waited while this service was down: the
            # source has given up on it.
            raise exception.InvalidVolume(
                reason='volume %s is not migrating (migration_status %s)'
                % (volume.uuid, current.migration_status))
        target = migration.create_target(context, current, backend, pool,
                                         uuid=target_id)
        LOG.info('Created target %s on %s for the migration of volume %s '
                 'from %s', target.uuid, target.host, volume.uuid,
                 volume.host)
        return {'target_id': target.uuid, 'host': target.host,
                'path': backend.path(target.name, pool),
                'address': self.my_ip}

    def delete_migration_target(self, context, target_id):
        try:
            target = volume_obj.Volume.get_by_uuid(context, target_id)
        except exception.VolumeNotFound:
            return
        if not (target.migration_status or '').startswith(
                volume_obj.TARGET_PREFIX):
            LOG.warning('Volume %s is no migration target: not deleting it',
                        target_id)
            return
        LOG.info('Deleting target %s of a failed migration of volume %s',
                 target_id,
                 target.migration_status[len(volume_obj.TARGET_PREFIX):])
        migration.delete_target(self, target)

    def get_migration_progress(self, context, volume_id):
        return self.progress.get(volume_id)
