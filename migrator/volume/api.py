"""What the block storage REST layer asks of the volume side: volumes,
their migrations and the volume services.

Volumes live in the default cell's database. Long work (creating,
deleting, migrating data) is cast to the volume service that owns the
backend; the only call is the short progress question of a migrating
volume (seed 002), which never fails the request.
"""
from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from migrator import cells
from migrator import context as migrator_context
from migrator import exception
from migrator.objects import instance as instance_obj
from migrator.objects import service as service_obj
from migrator.objects import volume as volume_obj
from migrator.rpcapi import compute_volumes as compute_volumes_rpcapi
from migrator.rpcapi import volume as volume_rpcapi

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

VOLUME_BINARY = 'migrator-volume'
DEFAULT_TYPE = '__DEFAULT__'

# Cinder's: the migration statuses a new migration may start from.
MIGRATION_MAY_START = (None, '', 'deleting', volume_obj.MIGRATION_ERROR,
                       volume_obj.MIGRATION_SUCCESS)
DELETABLE = (volume_obj.AVAILABLE, volume_obj.ERROR,
             volume_obj.ERROR_DELETING)


class API:

    def __init__(self):
        self._volume_rpcapi = None
        self._compute_volumes = None

    @property
    def volume_rpcapi(self):
        if self._volume_rpcapi is None:
            self._volume_rpcapi = volume_rpcapi.VolumeAPI()
        return self._volume_rpcapi

    @property
    def compute_volumes(self):
        if self._compute_volumes is None:
            self._compute_volumes = \
                compute_volumes_rpcapi.ComputeVolumeAPI()
        return self._compute_volumes

    @staticmethod
    def cell_context(context):
        """``context`` aimed at the cell volumes live in."""
        cell = cells.get_default_cell(context)
        context.cell_uuid = cell.uuid
        return context

    # -- services -----------------------------------------------------------
    def list_services(self, context, host=None, binary=None):
        cctxt = self.cell_context(context)
        services = service_obj.ServiceList.get_all(
            cctxt, binary=binary or VOLUME_BINARY, host=host)
        return [s for s in services if s.binary == VOLUME_BINARY]

    def _backend_services(self, context):
        return [s for s in self.list_services(context)
                if s.is_up and not s.disabled]

    def _backend_for_type(self, context, volume_type):
        """The 'host@backend' of an up volume service for a volume type
        (a backend name), and the type's name."""
        services = self._backend_services(context)
        if volume_type in (None, '', DEFAULT_TYPE):
            volume_type = CONF.default_volume_type
            if not volume_type:
                if not services:
                    return None, DEFAULT_TYPE
                return services[0].host, services[0].host.split('@', 1)[1]
        for service in services:
            if service.host.split('@', 1)[-1] == volume_type:
                return service.host, volume_type
        known = {s.host.split('@', 1)[-1] for s in
                 self.list_services(context)}
        if volume_type in known:
            # The type exists, its backend is down: Cinder's scheduler
            # would leave the volume in error.
            return None, volume_type
        raise exception.VolumeTypeNotFoundByName(
            volume_type_name=volume_type)

    # -- volumes ------------------------------------------------------------
    def get(self, context, volume_id):
        cctxt = self.cell_context(context)
        volume = volume_obj.Volume.get_by_uuid(cctxt, volume_id)
        if not context.is_admin and volume.project_id != context.project_id:
            raise exception.VolumeNotFound(volume_id=volume_id)
        if (volume.migration_status or '').startswith(
                volume_obj.TARGET_PREFIX) and not context.is_admin:
            raise exception.VolumeNotFound(volume_id=volume_id)
        return volume

    def list(self, context, filters, all_projects=False, sort_key=None,
             sort_dir=None, limit=None, marker=None):
        cctxt = self.cell_context(context)
        filters = dict(filters)
        if not all_projects:
            filters['project_id'] = context.project_id
        if marker is not None:
            # A marker must name a volume the caller may see.
            self.get(context, marker)
        return volume_obj.VolumeList.get_by_filters(
            cctxt, filters, sort_key=sort_key or 'created_at',
            sort_dir=sort_dir or 'desc', limit=limit, marker=marker)

    def attachments(self, context, volumes):
        cctxt = self.cell_context(context)
        found = {}
        for attachment in volume_obj.VolumeAttachmentList.get_by_volumes(
                cctxt, [v.uuid for v in volumes]):
            found.setdefault(attachment.volume_id, []).append(attachment)
        return found

    def create(self, context, size, name=None, description=None,
               volume_type=None, availability_zone=None, metadata=None,
               multiattach=False):
        cctxt = self.cell_context(context)
        backend_host, type_name = self._backend_for_type(
            cctxt, volume_type)
        volume = volume_obj.Volume(
            cctxt, size=size, display_name=name,
            display_description=description, user_id=context.user_id,
            project_id=context.project_id, host=backend_host,
            volume_type=type_name,
            availability_zone=availability_zone or 'nova',
            metadata=metadata or {}, multiattach=bool(multiattach),
            bootable=False,
            status=(volume_obj.CREATING if backend_host
                    else volume_obj.ERROR))
        volume.create()
        if backend_host:
            self.volume_rpcapi.create_volume(cctxt, volume)
        else:
            LOG.warning('No volume service is up for volume type %s: '
                        'volume %s is in error', type_name, volume.uuid)
        return volume

    def delete(self, context, volume):
        if volume.status not in DELETABLE or \
                volume.attach_status == volume_obj.ATTACHED or \
                volume.migration_status in volume_obj.MIGRATION_ACTIVE:
            raise exception.InvalidVolume(
                reason='Volume status must be available or error or '
                       'error_restoring or error_extending or '
                       'error_managing and must not be migrating, '
                       'attached, belong to a group, have snapshots, '
                       'awaiting a transfer, or be disassociated from '
                       'snapshots after volume transfer.')
        updated = volume.conditional_update(
            {'status': volume_obj.DELETING},
            {'status': DELETABLE,
             'attach_status': (volume_obj.DETACHED, None)})
        if not updated:
            raise exception.InvalidVolume(
                reason='volume %s changed state while being deleted'
                % volume.uuid)
        if volume.host:
            self.volume_rpcapi.delete_volume(volume._context, volume)
        else:
            volume.destroy()

    # -- migration ------------------------------------------------------------
    def migrate(self, context, volume, host, force_host_copy=False,
                lock_volume=False):
        dest_service_host = host.split('#', 1)[0]
        services = {s.host: s for s in self.list_services(context)}
        service = services.get(dest_service_host)
        if service is None or not service.is_up or service.disabled:
            raise exception.InvalidHost(
                reason='No available service named %s' % host)
        same = (host == volume.host if '#' in host else
                dest_service_host == (volume.host or '').split('#', 1)[0])
        if same:
            raise exception.InvalidHost(
                reason='Destination host must be different than the '
                       'current host.')
        updates = {'migration_status': volume_obj.MIGRATION_STARTING,
                   'previous_status': volume.status,
                   'migration_dest_host': host}
        if lock_volume and volume.status == volume_obj.AVAILABLE:
            updates['status'] = volume_obj.MAINTENANCE
        if not volume.conditional_update(
                updates,
                {'status': (volume_obj.AVAILABLE, volume_obj.IN_USE),
                 'migration_status': MIGRATION_MAY_START}):
            raise exception.InvalidVolume(
                reason='Volume %s status must be available or in-use, must '
                       'not be migrating, have snapshots, be replicated, be '
                       'part of a group and destination host must be '
                       'different than the current host' % volume.uuid)
        self.volume_rpcapi.migrate_volume(volume._context, volume, host,
                                          force_host_copy)

    def migrate_completion(self, context, volume, new_volume_id, error):
        new_volume = self.get(context, new_volume_id)
        return self.volume_rpcapi.migrate_volume_completion(
            volume._context, volume, new_volume, error)

    def migration_progress(self, context, volume):
        """The percent string, 'driver-assisted', or None: asked of the
        compute that swaps an attached volume, or of the volume service
        that copies; None when it does not answer in time (logged)."""
        timeout = CONF.volume.migration_progress_timeout
        try:
            if volume.migration_method == volume_obj.ATTACHED_SWAP:
                return self._swap_progress(context, volume, timeout)
            return self.volume_rpcapi.get_migration_progress(
                volume._context, volume.service_host, volume.uuid,
                timeout=timeout)
        except messaging.MessagingTimeout:
            LOG.warning('No answer within %ss about the migration '
                        'progress of volume %s', timeout, volume.uuid)
        except Exception:
            LOG.warning('Could not read the migration progress of volume '
                        '%s', volume.uuid, exc_info=True)
        return None

    def _swap_progress(self, context, volume, timeout):
        cctxt = volume._context
        attachments = volume_obj.VolumeAttachmentList.get_by_volume(
            cctxt, volume.uuid)
        if not attachments:
            return None
        attachment = attachments[0]
        instance = instance_obj.Instance.get_by_uuid(
            cctxt, attachment.instance_uuid)
        if not instance.host:
            return None
        return self.compute_volumes.get_swap_progress(
            migrator_context.get_admin_context(), instance.host, instance,
            volume.uuid, timeout=timeout)
