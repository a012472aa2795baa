"""A compute host's volume endpoint (RPC namespace "compute_volumes"):
attach, detach, and the swap of an attached volume while the guest keeps
running, with its progress for the block storage API (seed 002's
``swap_progress``).

A swap asked for by a volume migration (the old volume's
``migration_status`` is ``migrating`` and the new one is its target) ends
with ``migrate_volume_completion`` on the volume service, which moves the
volume's record onto the new data; a swap asked for through
``PUT /servers/{id}/os-volume_attachments/{volume_id}`` moves the
attachment to the new volume.
"""
import os
import threading

from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_utils import timeutils

from migrator import exception
from migrator import instance_events
from migrator import migration_progress as volume_progress
from migrator.objects import volume as volume_obj
from migrator.rpcapi import compute_volumes as compute_volumes_rpcapi
from migrator.rpcapi import volume as volume_rpcapi
from migrator import safe_path

LOG = logging.getLogger(__name__)


class ComputeVolumeEndpoint:
    target = messaging.Target(
        namespace=compute_volumes_rpcapi.ComputeVolumeAPI.NAMESPACE,
        version=compute_volumes_rpcapi.ComputeVolumeAPI.VERSION)

    def __init__(self, host, driver):
        self.host = host
        self.driver = driver
        self.volume_rpcapi = volume_rpcapi.VolumeAPI()
        self.progress = volume_progress.ProgressBoard()

    def _connection_info(self, context, volume_id, volume=None):
        """The volume and its connection info; a path in it that is not
        plainly the volume's own file is refused (UnsafePath)."""
        if volume is None:
            volume = volume_obj.Volume.get_by_uuid(context, volume_id)
        info = self.volume_rpcapi.initialize_connection(
            context, volume, {'host': self.host})
        what = 'data of volume %s' % volume.uuid
        path = safe_path.remote((info.get('data') or {}).get('path'), what)
        if os.path.basename(path) != volume.name:
            safe_path.refuse(path, what, 'a volume\'s data is the file '
                             '%s' % volume.name)
        return volume, info

    def attach_volume(self, context, instance, attachment):
        volume = volume_obj.Volume.get_by_uuid(context,
                                               attachment.volume_id)
        try:
            with instance_events.recorded(context, instance,
                                          'compute_attach_volume',
                                          self.host):
                volume, info = self._connection_info(context, volume.uuid)
                self.driver.attach_volume(instance.as_guest(), info,
                                          attachment.mountpoint)
        except Exception:
            LOG.exception('Attaching volume %s to %s failed', volume.uuid,
                          instance.uuid)
            attachment.destroy()
            volume.status = volume_obj.AVAILABLE
            volume.attach_status = volume_obj.DETACHED
            volume.save()
            return
        attachment.attach_status = volume_obj.ATTACHED
        attachment.attach_time = timeutils.utcnow()
        attachment.attached_host = self.host
        attachment.save()
        volume.status = volume_obj.IN_USE
        volume.attach_status = volume_obj.ATTACHED
        volume.save()
        LOG.info('Volume %s attached to %s as %s', volume.uuid,
                 instance.uuid, attachment.mountpoint)

    def detach_volume(self, context, instance, attachment):
        volume = volume_obj.Volume.get_by_uuid(context,
                                               attachment.volume_id)
        with instance_events.recorded(context, instance,
                                      'compute_detach_volume', self.host):
            try:
                self.driver.detach_volume(instance.as_guest(), None,
                                          attachment.mountpoint)
            finally:
                attachment.destroy()
                volume.status = volume_obj.AVAILABLE
                volume.attach_status = volume_obj.DETACHED
                volume.save()

    def recover_swaps(self, context, instances):
        """After a restart: swaps of these instances' volumes that were
        cut short end. A volume migration is told it failed (the volume
        stays where it was, with its data). Done on a thread of its own,
        so that a volume service that is slow to answer never holds up
        the compute's start."""
        thread = threading.Thread(target=self._recover_swaps,
                                  args=(context, list(instances)),
                                  daemon=True, name='recover-swaps')
        thread.start()
        return thread

    def _recover_swaps(self, context, instances):
        try:
            self._end_cut_short_swaps(context, instances)
        except Exception:
            LOG.exception('Ending the volume swaps cut short on %s failed',
                          self.host)

    def _end_cut_short_swaps(self, context, instances):
        for instance in instances:
            for attachment in \
                    volume_obj.VolumeAttachmentList.get_by_instance(
                        context, instance.uuid):
                try:
                    volume = volume_obj.Volume.get_by_uuid(
                        context, attachment.volume_id)
                except exception.VolumeNotFound:
                    continue
                if volume.migration_status != \
                        volume_obj.MIGRATION_MIGRATING or \
                        volume.migration_method != \
                        volume_obj.ATTACHED_SWAP:
                    continue
                target = self._migration_target(context, volume)
                LOG.warning('The swap of volume %s on %s was cut short by '
                            'a restart; ending its migration', volume.uuid,
                            instance.uuid)
                if target is None:
                    volume.migration_status = volume_obj.MIGRATION_ERROR
                    volume.migration_method = None
                    volume.migration_dest_host = None
                    volume.save()
                    continue
                self.volume_rpcapi.migrate_volume_completion(
                    context, volume, target, True)

    @staticmethod
    def _migration_target(context, volume):
        wanted = volume_obj.TARGET_PREFIX + volume.uuid
        for candidate in volume_obj.VolumeList.get_by_filters(
                context, {'migration_status': wanted}):
            return candidate
        return None

    def take_over(self, context, instance):
        """The server now runs on this host: see take_over_attachments."""
        take_over_attachments(context, self.host, self.driver, instance,
                              self.volume_rpcapi)

    def release_volumes(self, context, instance):
        """The server is gone: its volumes are detached, and deleted when
        their attachment says delete_on_termination."""
        for attachment in volume_obj.VolumeAttachmentList.get_by_instance(
                context, instance.uuid):
            try:
                volume = volume_obj.Volume.get_by_uuid(
                    context, attachment.volume_id)
            except exception.VolumeNotFound:
                attachment.destroy()
                continue
            attachment.destroy()
            volume.attach_status = volume_obj.DETACHED
            if attachment.delete_on_termination:
                volume.status = volume_obj.DELETING
                volume.save()
                self.volume_rpcapi.delete_volume(context, volume)
            else:
                volume.status = volume_obj.AVAILABLE
                volume.save()
            LOG.info('Volume %s released by deleted server %s', volume.uuid,
                     instance.uuid)

    def swap_volume(self, context, instance, attachment, new_volume_id):
        thread = threading.Thread(
            target=self._swap, args=(context, instance, attachment,
                                     new_volume_id),
            daemon=True, name='swap-volume-%s' % attachment.volume_id)
        thread.start()

    def _swap(self, context, instance, attachment, new_volume_id):
        old_id = attachment.volume_id
        old = volume_obj.Volume.get_by_uuid(context, old_id)
        new = volume_obj.Volume.get_by_uuid(context, new_volume_id)
        migration = (old.migration_status ==
                     volume_obj.MIGRATION_MIGRATING and
                     new.migration_status ==
                     volume_obj.TARGET_PREFIX + old_id)
        self.progress.start(old_id)
        error = None
        try:
            with instance_events.recorded(context, instance,
                                          'compute_swap_volume', self.host):
                # Inside: a refused path ends the swap (and a migration)
                # in error like a failed copy.
                old, old_info = self._connection_info(context, old_id, old)
                new, new_info = self._connection_info(context,
                                                      new_volume_id, new)
                self.driver.swap_volume(
                    instance.as_guest(), old_info, new_info,
                    attachment.mountpoint,
                    lambda pct: self.progress.update(old_id, pct))
        except Exception as exc:
            error = exc
            LOG.error('Swap of volume %s into %s on %s failed: %s', old_id,
                      new_volume_id, instance.uuid, exc)
        finally:
            self.progress.finish(old_id)
        if migration:
            self.volume_rpcapi.migrate_volume_completion(
                context, old, new, error is not None)
            return
        if error is not None:
            new.status = volume_obj.AVAILABLE
            new.save()
            return
        attachment.volume_id = new.uuid
        attachment.save()
        new.status = volume_obj.IN_USE
        new.attach_status = volume_obj.ATTACHED
        new.save()
        old.status = volume_obj.AVAILABLE
        old.attach_status = volume_obj.DETACHED
        old.save()
        LOG.info('Volume %s of %s swapped for %s', old_id, instance.uuid,
                 new.uuid)

    @messaging.expected_exceptions(exception.MigratorException)
    def get_swap_progress(self, context, instance, volume_id):
        return self.progress.get(volume_id)


def take_over_attachments(context, host, driver, instance,
                          volume_rpcapi_client=None):
    """After a live or cold migration, a resize, or their revert, the
    server runs on ``host``: each of its attached volumes is connected
    here (connection info asked of the volume service for this host) and
    its attachment names this host (the volume's ``attachments[]
    .host_name``), so that detach and swap are done here. A volume that
    cannot be connected is logged and keeps its attachment record; the
    move itself has happened and is not undone for it."""
    client = volume_rpcapi_client or volume_rpcapi.VolumeAPI()
    guest = instance.as_guest()
    for attachment in volume_obj.VolumeAttachmentList.get_by_instance(
            context, instance.uuid):
        if attachment.attach_status != volume_obj.ATTACHED:
            continue
        try:
            volume = volume_obj.Volume.get_by_uuid(context,
                                                   attachment.volume_id)
            info = client.initialize_connection(context, volume,
                                                {'host': host})
            driver.connect_moved_volume(guest, info, attachment.mountpoint)
        except Exception:
            LOG.exception('Volume %s of %s could not be connected on %s '
                          'after the server moved here',
                          attachment.volume_id, instance.uuid, host)
        if attachment.attached_host != host:
            previous = attachment.attached_host
            attachment.attached_host = host
            attachment.save()
            LOG.info('Attachment of volume %s to %s moved from %s to %s',
                     attachment.volume_id, instance.uuid, previous, host)
