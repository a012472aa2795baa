"""Volume attachments of servers, for the compute REST layer: attach,
detach and swap are cast to the compute that runs the server."""
from migrator.compute.api import base
from migrator.compute.api import servers as servers_api
from migrator import context as migrator_context
from migrator import exception
from migrator.objects import instance as instance_obj
from migrator.objects import instance_action
from migrator.objects import volume as volume_obj
from migrator.rpcapi import compute_volumes as compute_volumes_rpcapi

ATTACHABLE_VM_STATES = (instance_obj.ACTIVE, instance_obj.PAUSED,
                        instance_obj.STOPPED)


class VolumeAttachmentsAPI(servers_api.ServersMixin, base.APIBase):

    def __init__(self):
        super().__init__()
        self._rpcapi = None

    @property
    def rpcapi(self):
        if self._rpcapi is None:
            self._rpcapi = compute_volumes_rpcapi.ComputeVolumeAPI()
        return self._rpcapi

    def list(self, context, instance):
        with migrator_context.target_cell(context, instance._cell) as c:
            return list(volume_obj.VolumeAttachmentList.get_by_instance(
                c, instance.uuid))

    def get(self, context, instance, volume_id):
        for attachment in self.list(context, instance):
            if attachment.volume_id == volume_id:
                return attachment
        raise exception.VolumeAttachmentNotFound(volume_id=volume_id,
                                                 instance_id=instance.uuid)

    def _volume(self, cctxt, context, volume_id):
        volume = volume_obj.Volume.get_by_uuid(cctxt, volume_id)
        if not context.is_admin and volume.project_id != context.project_id:
            raise exception.VolumeNotFound(volume_id=volume_id)
        return volume

    @staticmethod
    def _check_instance(instance, method):
        if instance.vm_state not in ATTACHABLE_VM_STATES or \
                instance.task_state is not None or not instance.host:
            raise exception.InstanceInvalidState(
                instance_uuid=instance.uuid, attr='vm_state',
                state=instance.vm_state, method=method)

    def _next_device(self, context, instance):
        used = {a.mountpoint for a in self.list(context, instance)}
        for letter in 'bcdefghijklmnopqrstuvwxyz':
            device = '/dev/vd%s' % letter
            if device not in used:
                return device
        raise exception.Invalid(reason='no free device name')

    def attach(self, context, instance, volume_id, device=None,
               delete_on_termination=False, tag=None):
        self._check_lock(context, instance)
        self._check_instance(instance, 'attach_volume')
        with migrator_context.target_cell(context, instance._cell) as c:
            volume = self._volume(c, context, volume_id)
            device = device or self._next_device(context, instance)
            if not volume.conditional_update(
                    {'status': volume_obj.ATTACHING},
                    {'status': volume_obj.AVAILABLE,
                     'migration_status': (None, 'success', 'error')}):
                raise exception.InvalidVolume(
                    reason='volume %s status must be available' % volume_id)
            attachment = volume_obj.VolumeAttachment(
                c, volume_id=volume_id, instance_uuid=instance.uuid,
                attached_host=instance.host, mountpoint=device,
                attach_status=volume_obj.ATTACHING, attach_mode='rw',
                delete_on_termination=bool(delete_on_termination), tag=tag)
            attachment.create()
            instance_action.InstanceAction.action_start(
                c, instance.uuid, 'attach_volume')
            self.rpcapi.attach_volume(c, instance, attachment)
        return attachment

    def detach(self, context, instance, volume_id):
        self._check_lock(context, instance)
        self._check_instance(instance, 'detach_volume')
        attachment = self.get(context, instance, volume_id)
        with migrator_context.target_cell(context, instance._cell) as c:
            volume = self._volume(c, context, volume_id)
            if not volume.conditional_update(
                    {'status': volume_obj.DETACHING},
                    {'status': volume_obj.IN_USE,
                     'migration_status': (None, 'success', 'error')}):
                raise exception.InvalidVolume(
                    reason='volume %s must be in-use and not migrating to '
                           'be detached' % volume_id)
            instance_action.InstanceAction.action_start(
                c, instance.uuid, 'detach_volume')
            self.rpcapi.detach_volume(c, instance, attachment)

    def update(self, context, instance, volume_id, delete_on_termination):
        attachment = self.get(context, instance, volume_id)
        if delete_on_termination is not None:
            with migrator_context.target_cell(context, instance._cell):
                attachment.delete_on_termination = delete_on_termination
                attachment.save()
        return attachment

    def swap(self, context, instance, old_volume_id, new_volume_id):
        self._check_lock(context, instance)
        if instance.vm_state not in (instance_obj.ACTIVE,
                                     instance_obj.PAUSED) or \
                instance.task_state is not None:
            raise exception.InstanceInvalidState(
                instance_uuid=instance.uuid, attr='vm_state',
                state=instance.vm_state, method='swap_volume')
        attachment = self.get(context, instance, old_volume_id)
        with migrator_context.target_cell(context, instance._cell) as c:
            new = self._volume(c, context, new_volume_id)
            old = self._volume(c, context, old_volume_id)
            migration = (old.migration_status ==
                         volume_obj.MIGRATION_MIGRATING)
            expected = {'status': volume_obj.AVAILABLE}
            if not migration:
                expected['migration_status'] = (None, 'success', 'error')
            if not new.conditional_update(
                    {'status': volume_obj.ATTACHING}, expected):
                raise exception.InvalidVolume(
                    reason='volume %s status must be available'
                    % new_volume_id)
            instance_action.InstanceAction.action_start(
                c, instance.uuid, 'swap_volume')
            self.rpcapi.swap_volume(c, instance, attachment, new_volume_id)
