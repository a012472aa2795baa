"""Cold migration and resize (seed 003): migrate, resize, confirmResize
and revertResize, with ``copy_pmem_devices`` from 2.105."""
from migrator import context as migrator_context
from migrator import exception
from migrator.objects import flavor as flavor_obj
from migrator.objects import instance as instance_obj
from migrator.objects import instance_action as action_obj
from migrator.objects import migration as migration_obj
from migrator.objects import service as service_obj

# The states a cold migration or resize starts from (Nova's).
RESIZE_VM_STATES = (instance_obj.ACTIVE, instance_obj.STOPPED)


class ColdMigrationMixin:

    def resize(self, context, instance, flavor_id=None, host=None,
               copy_pmem_devices=False):
        """Cold-migrate (``flavor_id`` None) or resize ``instance``.

        Checked here, before anything is written: the lock, the state
        (ACTIVE or STOPPED with no task), the new flavor (exists, differs,
        no smaller disk), the named host (exists, same cell: a cross-cell
        move is a 400), and with ``copy_pmem_devices`` the compute service
        versions of the source and the named host (409 when one cannot
        copy). Then the task is claimed with a compare-and-swap, the
        action and the Migration (``pre-migrating``) are recorded, and the
        conductor is called: it answers once a destination has claimed
        room, or raises NoValidHost (400).
        """
        self._check_lock(context, instance)
        self._check_state(instance, 'resize', vm_states=RESIZE_VM_STATES,
                          task_states=[None])
        new_flavor = self._new_flavor(context, instance, flavor_id)
        if host:
            cell = self._host_cell(context, host)
            if cell.uuid != instance._cell.uuid:
                raise exception.CrossCellMoveNotSupported(
                    instance_uuid=instance.uuid, host=host,
                    reason='PMEM data cannot be copied across cells'
                    if copy_pmem_devices else 'cross-cell moves are not '
                                              'enabled')
        with migrator_context.target_cell(context, instance._cell) as cctxt:
            if copy_pmem_devices:
                for name in [instance.host] + ([host] if host else []):
                    self._check_can_copy(cctxt, name)
            instance._context = cctxt
            instance.task_state = instance_obj.RESIZE_PREP
            instance.save(expected_task_state=[None],
                          expected_vm_state=list(RESIZE_VM_STATES))
            action = 'migrate' if flavor_id is None else 'resize'
            action_obj.InstanceAction.action_start(cctxt, instance.uuid,
                                                   action)
            migration = migration_obj.Migration.create_cold_migration(
                cctxt, instance, new_flavor)
            self.conductor_rpcapi.cold_migrate_server(
                cctxt, instance, new_flavor, host, bool(copy_pmem_devices),
                migration)
        return migration

    @staticmethod
    def _new_flavor(context, instance, flavor_id):
        current = instance.flavor
        if flavor_id is None:
            # A cold migration keeps the flavor the instance has (its
            # snapshot: the flavor may have been deleted since).
            return current
        new = flavor_obj.Flavor.get_by_flavor_id(context, str(flavor_id))
        if new.disabled:
            raise exception.FlavorNotFound(flavor_id=flavor_id)
        if current is not None and new.id == current.id:
            raise exception.CannotResizeToSameFlavor()
        if current is not None and new.root_gb < current.root_gb:
            raise exception.CannotResizeDisk(
                reason='Unable to resize disk down.')
        return new

    @staticmethod
    def _check_can_copy(context, host):
        try:
            svc = service_obj.Service.get_by_compute_host(context, host)
        except exception.ComputeHostNotFound:
            return
        if (svc.version or 0) < service_obj.PMEM_COPY_MIN_VERSION:
            raise exception.PmemCopyNotSupported(
                host=host, version=svc.version or 0,
                required=service_obj.PMEM_COPY_MIN_VERSION)

    def _finished_migration(self, cctxt, instance, method):
        self._check_state(instance, method,
                          vm_states=[instance_obj.RESIZED],
                          task_states=[None])
        return migration_obj.Migration.get_by_instance_and_status(
            cctxt, instance.uuid, 'finished')

    def confirm_resize(self, context, instance):
        """Keep the move: the source's copy is removed and zeroed."""
        self._check_lock(context, instance)
        with migrator_context.target_cell(context, instance._cell) as cctxt:
            migration = self._finished_migration(cctxt, instance,
                                                 'confirm_resize')
            migration.status = 'confirming'
            if not migration.save(expected_status=['finished']):
                raise exception.InstanceInvalidState(
                    instance_uuid=instance.uuid, attr='migration status',
                    state='confirming', method='confirm_resize')
            action_obj.InstanceAction.action_start(cctxt, instance.uuid,
                                                   'confirmResize')
            self.compute_rpcapi.confirm_resize(cctxt, instance, migration)
        return migration

    def confirm_resize_on_deleting(self, cctxt, instance):
        """Before a server in VERIFY_RESIZE is deleted (``cctxt``: its
        cell), confirm its move, as Nova does."""
        if instance.vm_state != instance_obj.RESIZED:
            return
        try:
            migration = migration_obj.Migration.get_by_instance_and_status(
                cctxt, instance.uuid, 'finished')
        except exception.MigrationNotFoundByStatus:
            return
        migration.status = 'confirming'
        if migration.save(expected_status=['finished']):
            self.compute_rpcapi.confirm_resize(cctxt, instance, migration)

    def revert_resize(self, context, instance):
        """Undo the move: the guest goes back to its source, with its
        original data; the destination's copy is zeroed."""
        self._check_lock(context, instance)
        with migrator_context.target_cell(context, instance._cell) as cctxt:
            migration = self._finished_migration(cctxt, instance,
                                                 'revert_resize')
            instance._context = cctxt
            instance.task_state = instance_obj.RESIZE_REVERTING
            instance.save(expected_task_state=[None],
                          expected_vm_state=[instance_obj.RESIZED])
            migration.status = 'reverting'
            migration.save()
            action_obj.InstanceAction.action_start(cctxt, instance.uuid,
                                                   'revertResize')
            self.compute_rpcapi.revert_resize(cctxt, instance, migration)
        return migration
