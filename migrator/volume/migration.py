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

On any failure the target is deleted and the volume is left as it was,
``available`` (or ``in-use``) on its original backend, its data
untouched, ``migration_status`` ``error``.
"""
from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import uuidutils

from migrator import exception
from migrator.objects import instance as instance_obj
from migrator.objects import volume as volume_obj

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

MiB = 1024 ** 2


def rate_limit():
    """Bytes/s of a volume copy: the lower of [volume]
    copy_rate_limit_mib and [transfer] rate_limit, None for no limit."""
    limits = [limit for limit in (CONF.volume.copy_rate_limit_mib * MiB,
                                  CONF.transfer.rate_limit) if limit]
    return min(limits) if limits else None


def copy_file(src_path, dst_path, on_percent, cancel):
    """Copy a volume file with the shared data-copy module ([transfer]
    chunk size, verification and checksum; throttled by rate_limit())."""
    from migrator import transfer
    options = transfer.copy_options()
    options['rate_limit'] = rate_limit()
    return transfer.copy(
        transfer.LocalFile(src_path), transfer.LocalFile(dst_path),
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

    # -- the steps ----------------------------------------------------------
    def execute(self):
        volume = self.volume
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
        volume = self.volume
        target = volume_obj.Volume(
            self.context, uuid=uuidutils.generate_uuid(),
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
        self.target = target
        dest_backend.create(target.name, target.size, dest_pool)
        target.status = volume_obj.AVAILABLE
        target.save()
        return target

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
        fail(self.volume)


def delete_target(manager, target):
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
