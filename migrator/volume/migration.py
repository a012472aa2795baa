"""Volume migration, run by the volume service that owns the volume.

``VolumeMigrationTask(...).execute()`` moves one volume to
``host@backend#pool``, one of three ways:

* driver-assisted: the backend moves it between its own pools and
  reports no figures;
* host-assisted (detached): a temporary target volume is created on the
  destination (``migration_status`` ``target:<id>``), the data is copied
  into it through ``migrator.transfer`` (chunks, checksum, throttle,
  progress), then the volume takes over the target's data (``name_id``,
  as Cinder does) and host, and the source data is deleted;
* attached: the target is created the same way, and the compute host
  that runs the server swaps the volume while the guest keeps running;
  it reports the swap's progress itself and calls
  ``migrate_volume_completion`` when done.

The destination may be a backend of another volume service (another
host): that service creates the target (``create_migration_target``)
and answers where its data is, a path and the host's address; this
service writes there, locally when both are on the same machine (same
``[DEFAULT] my_ip``, or none set) or over SSH otherwise
(``migrator.transfer.RemoteFile``), then switches the volume over as
above. A destination that does not answer within
``[volume] migration_target_timeout`` ends the migration in error.

On any failure the target is deleted (by the service that holds it) and
the volume is left as it was, ``available`` (or ``in-use``) on its
original backend, its data untouched, ``migration_status`` ``error``.
"""
import os

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_utils import uuidutils

from migrator import exception
from migrator.objects import instance as instance_obj
from migrator.objects import volume as volume_obj
from migrator import safe_path

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

MiB = 1024 ** 2


def rate_limit():
    """Bytes/s of a volume copy: the lower of [volume]
    copy_rate_limit_mib and [transfer] rate_limit, None for no limit."""
    limits = [limit for limit in (CONF.volume.copy_rate_limit_mib * MiB,
                                  CONF.transfer.rate_limit) if limit]
    return min(limits) if limits else None


def sink(path, address=None, my_address=None):
    """The transfer endpoint of a target volume's data at ``path`` on the
    host reached at ``address``: a local file when that is this machine
    (no address, or this host's own, ``my_address`` or [DEFAULT] my_ip),
    else the file over SSH ([transfer] ssh options)."""
    from migrator import transfer
    if not address or address == (my_address or CONF.my_ip):
        return transfer.LocalFile(path)
    return transfer.RemoteFile(transfer.ssh_host(address), path)


def copy_file(src_path, dst_path, on_percent, cancel, dst_address=None,
              my_address=None):
    """Copy a volume file with the shared data-copy module ([transfer]
    chunk size, verification and checksum; throttled by rate_limit())
    to ``dst_path`` here or on the host at ``dst_address``."""
    from migrator import transfer
    options = transfer.copy_options()
    options['rate_limit'] = rate_limit()
    return transfer.copy(
        transfer.LocalFile(src_path),
        sink(dst_path, dst_address, my_address),
        on_progress=lambda p: on_percent(p.percent),
        progress_interval=CONF.volume.progress_interval,
        cancel=cancel, **options)


def restore_status(volume):
    """The status a volume returns to after a migration."""
    if volume.status == volume_obj.MAINTENANCE:
        return volume.previous_status or volume_obj.AVAILABLE
    return volume.status


class VolumeMigrationTask:
    """One migration of ``volume`` to ``dest_host`` (see the module
    docstring). ``manager`` gives the backends, the progress board and
    the compute RPC client."""

    def __init__(self, manager, context, volume, dest_host,
                 force_host_copy=False, cancel=None):
        self.manager = manager
        self.context = context
        self.volume = volume
        self.dest_host = dest_host
        self.force_host_copy = force_host_copy
        self.cancel = cancel
        self.target = None
        # (volume service, target uuid) asked of another volume service.
        self.remote_target = None

    # -- the steps ----------------------------------------------------------
    def execute(self):
        volume = self.volume
        # A record naming data outside the backend fails here, before a
        # target exists (UnsafePath).
        src_backend, src_pool = self.manager.backend_and_pool(volume.host)
        src_backend.path(volume.name, src_pool)
        if volume_obj.host_parts(self.dest_host)[0] != self.manager.host:
            self._to_another_host()
            return
        src_backend, src_pool = self.manager.backend_and_pool(volume.host)
        dest_backend, dest_pool = self.manager.backend_and_pool(
            self.dest_host)
        if volume.attach_status == volume_obj.ATTACHED:
            method = volume_obj.ATTACHED_SWAP
        elif not self.force_host_copy and \
                src_backend.can_move_itself(dest_backend):
            method = volume_obj.DRIVER_ASSISTED
        else:
            method = volume_obj.HOST_ASSISTED
        dest_host = dest_backend.host_string(dest_pool)
        LOG.info('Migrating volume %s from %s to %s (%s)', volume.uuid,
                 volume.host, dest_host, method)
        volume.migration_method = method
        volume.migration_dest_host = dest_host
        if method == volume_obj.DRIVER_ASSISTED:
            self._driver_assisted(src_backend, src_pool, dest_backend,
                                  dest_pool)
            return
        self._create_target(dest_backend, dest_pool)
        if method == volume_obj.ATTACHED_SWAP:
            self._attached()
            return
        self._host_assisted(src_backend, src_pool, dest_backend, dest_pool)

    def _start_migrating(self, driver_assisted=False):
        self.manager.progress.start(self.volume.uuid, driver_assisted)
        self.volume.migration_status = volume_obj.MIGRATION_MIGRATING
        self.volume.save()

    def _driver_assisted(self, backend, src_pool, dest_backend, dest_pool):
        volume = self.volume
        self._start_migrating(driver_assisted=True)
        try:
            backend.move(volume.name, volume.size, src_pool, dest_pool,
                         volume.name, self.cancel)
        finally:
            self.manager.progress.finish(volume.uuid)
        volume.migration_status = volume_obj.MIGRATION_COMPLETING
        volume.save()
        volume.host = dest_backend.host_string(dest_pool)
        self._finish_success()

    def _create_target(self, dest_backend, dest_pool):
        self.target = create_target(
            self.context, self.volume, dest_backend, dest_pool,
            on_record=lambda target: setattr(self, 'target', target))
        return self.target

    def _host_assisted(self, src_backend, src_pool, dest_backend,
                       dest_pool):
        volume = self.volume
        self._start_migrating()
        src = src_backend.path(volume.name, src_pool)
        dst = dest_backend.path(self.target.name, dest_pool)
        try:
            result = copy_file(
                src, dst,
                lambda pct: self.manager.progress.update(volume.uuid, pct),
                self.cancel)
        finally:
            self.manager.progress.finish(volume.uuid)
        LOG.info('Volume %s copied to %s: %d bytes in %.1f s, checksum %s',
                 volume.uuid, self.target.host, result.bytes_copied,
                 result.seconds, result.checksum)
        complete(self.manager, self.context, volume, self.target)

    # -- to a backend of another volume service ------------------------------
    def _to_another_host(self):
        volume = self.volume
        src_backend, src_pool = self.manager.backend_and_pool(volume.host)
        rpcapi = self.manager.volume_rpcapi
        dest_service = volume_obj.host_parts(self.dest_host)[0]
        if not rpcapi.can_send_version('1.1'):
            raise exception.VolumeMigrationFailed(
                reason='[upgrade_levels] volume caps the volume RPC API '
                       'below 1.1: volumes cannot move to another volume '
                       'service (%s) until every volume service is '
                       'upgraded' % dest_service)
        attached = volume.attach_status == volume_obj.ATTACHED
        method = (volume_obj.ATTACHED_SWAP if attached
                  else volume_obj.HOST_ASSISTED)
        LOG.info('Migrating volume %s from %s to %s on volume service %s '
                 '(%s)', volume.uuid, volume.host, self.dest_host,
                 dest_service, method)
        volume.migration_method = method
        volume.migration_dest_host = self.dest_host
        volume.save()
        self.remote_target = (dest_service, uuidutils.generate_uuid())
        timeout = CONF.volume.migration_target_timeout
        try:
            placed = rpcapi.create_migration_target(
                self.context, dest_service, volume, self.dest_host,
                self.remote_target[1], timeout=timeout)
        except messaging.MessagingTimeout:
            raise exception.VolumeMigrationFailed(
                reason='volume service %s did not answer within %ss: is it '
                       'running?' % (dest_service, timeout))
        self.target = volume_obj.Volume.get_by_uuid(self.context,
                                                    placed['target_id'])
        volume.migration_dest_host = self.target.host
        if method == volume_obj.ATTACHED_SWAP:
            self._attached()
            return
        # Another service's answer: its path must be the target's file.
        dst = safe_path.remote(placed.get('path'),
                               'target %s of volume %s' % (
                                   self.target.uuid, volume.uuid))
        if os.path.basename(dst) != self.target.name:
            safe_path.refuse(dst, 'target %s of volume %s' % (
                self.target.uuid, volume.uuid),
                'the target\'s data is a file named %s' % self.target.name)
        self._start_migrating()
        src = src_backend.path(volume.name, src_pool)
        try:
            result = copy_file(
                src, dst,
                lambda pct: self.manager.progress.update(volume.uuid, pct),
                self.cancel, dst_address=placed.get('address'),
                my_address=self.manager.my_ip)
        finally:
            self.manager.progress.finish(volume.uuid)
        LOG.info('Volume %s copied to %s (%s): %d bytes in %.1f s, '
                 'checksum %s', volume.uuid, self.target.host,
                 placed.get('address') or 'this machine',
                 result.bytes_copied, result.seconds, result.checksum)
        complete(self.manager, self.context, volume, self.target)

    def _attached(self):
        volume = self.volume
        attachments = volume_obj.VolumeAttachmentList.get_by_volume(
            self.context, volume.uuid)
        if not attachments:
            raise exception.InvalidVolume(
                reason='volume %s has no attachment to swap' % volume.uuid)
        attachment = attachments[0]
        instance = instance_obj.Instance.get_by_uuid(
            self.context, attachment.instance_uuid)
        self.volume.migration_status = volume_obj.MIGRATION_MIGRATING
        self.volume.save()
        # The compute copies, reports the progress and calls
        # migrate_volume_completion when done.
        self.manager.compute_volumes.swap_volume(
            self.context, instance, attachment, self.target.uuid)

    def _finish_success(self):
        volume = self.volume
        volume.status = restore_status(volume)
        volume.migration_status = volume_obj.MIGRATION_SUCCESS
        volume.migration_method = None
        volume.migration_dest_host = None
        volume.save()
        LOG.info('Volume %s migrated to %s', volume.uuid, volume.host)

    def rollback(self, error):
        """Undo after ``error``: the target goes, the volume stays where
        it was with its data."""
        LOG.error('Migration of volume %s failed: %s', self.volume.uuid,
                  error)
        self.manager.progress.finish(self.volume.uuid)
        if self.target is not None:
            delete_target(self.manager, self.target)
        elif self.remote_target is not None:
            # It may have been created after all (a slow destination):
            # the destination deletes it if it is there.
            service, target_id = self.remote_target
            cast_delete_target(self.manager, service, target_id)
        fail(self.volume)


def cast_delete_target(manager, service, target_id):
    try:
        manager.volume_rpcapi.delete_migration_target(
            manager.admin_context(), service, target_id)
    except Exception:
        LOG.exception('Could not ask volume service %s to delete migration '
                      'target %s; it deletes it when it next starts',
                      service, target_id)


def create_target(context, volume, dest_backend, dest_pool, uuid=None,
                  on_record=None):
    """The temporary volume a migration of ``volume`` copies into, on
    ``dest_backend`` (record, then empty data of the volume's size).
    ``on_record(target)`` is told of the record as soon as it exists;
    when the data cannot be created the record goes again."""
    target = volume_obj.Volume(
        context, uuid=uuid or uuidutils.generate_uuid(),
        user_id=volume.user_id, project_id=volume.project_id,
        display_name=volume.display_name,
        display_description=volume.display_description,
        size=volume.size, status=volume_obj.CREATING,
        attach_status=volume_obj.DETACHED,
        host=dest_backend.host_string(dest_pool),
        availability_zone=volume.availability_zone,
        volume_type=dest_backend.name, bootable=volume.bootable,
        metadata={},
        migration_status=volume_obj.TARGET_PREFIX + volume.uuid)
    target.create()
    if on_record is not None:
        on_record(target)
    try:
        dest_backend.create(target.name, target.size, dest_pool)
    except Exception:
        if on_record is None:
            target.destroy()
        raise
    target.status = volume_obj.AVAILABLE
    target.save()
    return target


def delete_target(manager, target):
    """Remove a migration target's data and record: here, or by the
    volume service of another host that holds it."""
    service = target.service_host
    if service and service != manager.host:
        cast_delete_target(manager, service, target.uuid)
        return
    try:
        backend, pool = manager.backend_and_pool(target.host)
        backend.delete(target.name, pool)
    except Exception:
        LOG.exception('Could not delete the data of migration target %s',
                      target.uuid)
    target.destroy()


def fail(volume):
    volume.status = restore_status(volume)
    volume.migration_status = volume_obj.MIGRATION_ERROR
    volume.migration_method = None
    volume.migration_dest_host = None
    volume.save()


def complete(manager, context, volume, target):
    """The volume takes over the target's data and host; its old data
    and the temporary target record go."""
    volume.migration_status = volume_obj.MIGRATION_COMPLETING
    volume.save()
    old_backend, old_pool = manager.backend_and_pool(volume.host)
    old_name = volume.name
    volume.host = target.host
    volume.name_id = target.name_id or target.uuid
    volume.status = restore_status(volume)
    volume.migration_status = volume_obj.MIGRATION_SUCCESS
    volume.migration_method = None
    volume.migration_dest_host = None
    volume.save()
    target.destroy()
    old_backend.delete(old_name, old_pool)
    LOG.info('Volume %s migrated to %s', volume.uuid, volume.host)
