"""What the REST layer asks of the compute side: servers, flavors,
services and compute nodes, across cells.

Every server is found through its instance mapping (API database) and
read or written in its cell's database, even with a single cell, so that
more cells only add rows to ``cell_mappings``. Long work is cast to the
conductor (build) or the server's compute host (delete); this module
never waits on it.
"""
from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import timeutils
from oslo_utils import uuidutils

from migrator import cells
from migrator import context as migrator_context
from migrator import exception
from migrator.objects import cell_mapping as cell_obj
from migrator.objects import compute_node as compute_node_obj
from migrator.objects import flavor as flavor_obj
from migrator.objects import host_mapping as host_mapping_obj
from migrator.objects import instance as instance_obj
from migrator.objects import instance_action as action_obj
from migrator.objects import instance_fault as fault_obj
from migrator.objects import instance_mapping as mapping_obj
from migrator.objects import migration as migration_obj
from migrator.objects import service as service_obj
from migrator.rpcapi import compute as compute_rpcapi
from migrator.rpcapi import conductor as conductor_rpcapi

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

COMPUTE_BINARY = 'migrator-compute'

# Live migration: the states it starts from, and its instance action.
LIVE_MIGRATE_VM_STATES = (instance_obj.ACTIVE, instance_obj.PAUSED)
LIVE_MIGRATION_ACTION = 'live-migration'


def default_cell(context):
    """The cell new instances go to (see ``migrator.cells``)."""
    return cells.get_default_cell(context)


class API:

    def __init__(self):
        self._conductor = None
        self._compute = None

    @property
    def conductor_rpcapi(self):
        if self._conductor is None:
            self._conductor = conductor_rpcapi.ConductorAPI()
        return self._conductor

    @property
    def compute_rpcapi(self):
        if self._compute is None:
            self._compute = compute_rpcapi.ComputeAPI()
        return self._compute

    # -- cells ------------------------------------------------------------
    @staticmethod
    def cells(context, include_cell0=True):
        return [cell for cell in cell_obj.CellMappingList.get_all(context)
                if include_cell0 or not cell.is_cell0]

    def _each_cell(self, context, func, include_cell0=False):
        """[(cell, func(context in cell))] for every cell that answers;
        a cell whose database fails is logged and left out, as Nova
        leaves out a down cell's records."""
        results = []
        for cell in self.cells(context, include_cell0):
            try:
                with migrator_context.target_cell(context, cell) as cctxt:
                    results.append((cell, func(cctxt)))
            except exception.MigratorException:
                raise
            except Exception:
                LOG.warning('Cell %s did not answer; its records are left '
                            'out', cell.identity, exc_info=True)
        return results

    def _host_cell(self, context, host):
        try:
            return host_mapping_obj.HostMapping.get_by_host(
                context, host).cell_mapping
        except exception.HostMappingNotFound:
            raise exception.ComputeHostNotFound(host=host)

    # -- flavors ----------------------------------------------------------
    def get_flavor(self, context, flavorid):
        return flavor_obj.Flavor.get_by_flavor_id(context, flavorid)

    def list_flavors(self, context, **kwargs):
        return flavor_obj.FlavorList.get_all(context, **kwargs)

    def create_flavor(self, context, name, memory_mb, vcpus, root_gb,
                      ephemeral_gb=0, swap=0, flavorid=None,
                      rxtx_factor=1.0, is_public=True, description=None):
        flavor = flavor_obj.Flavor(
            context, name=name, memory_mb=memory_mb, vcpus=vcpus,
            root_gb=root_gb, ephemeral_gb=ephemeral_gb, swap=swap,
            flavorid=flavorid or uuidutils.generate_uuid(),
            rxtx_factor=rxtx_factor, is_public=is_public,
            description=description, disabled=False, extra_specs={})
        flavor.create()
        return flavor

    # -- servers ----------------------------------------------------------
    def _mapping(self, context, uuid):
        try:
            mapping = mapping_obj.InstanceMapping.get_by_instance_uuid(
                context, uuid)
        except exception.InstanceMappingNotFound:
            raise exception.InstanceNotFound(instance_id=uuid)
        if mapping.cell_mapping is None:
            raise exception.InstanceNotFound(instance_id=uuid)
        return mapping

    def get_server(self, context, uuid):
        """The instance, read in its cell; its cell is
        ``instance.cell_mapping`` (not a field: set on the object)."""
        if not uuidutils.is_uuid_like(uuid):
            raise exception.InstanceNotFound(instance_id=uuid)
        mapping = self._mapping(context, uuid)
        with migrator_context.target_cell(context,
                                          mapping.cell_mapping) as cctxt:
            instance = instance_obj.Instance.get_by_uuid(cctxt, uuid)
        instance._cell = mapping.cell_mapping
        return instance

    def get_fault(self, context, instance):
        with migrator_context.target_cell(context, instance._cell) as cctxt:
            return fault_obj.InstanceFault.get_latest_for_instance(
                cctxt, instance.uuid)

    def list_servers(self, context, filters, sort_key='created_at',
                     sort_dir='desc', limit=None, marker=None):
        """Instances of every cell matching ``filters`` (see
        ``InstanceList.get_by_filters``), merged in sort order, the page
        after ``marker``."""
        marker_cell = marker_key = None
        if marker is not None:
            try:
                marker_cell = self._mapping(context, marker).cell_mapping
            except exception.InstanceNotFound:
                raise exception.MarkerNotFound(marker=marker)
            with migrator_context.target_cell(context, marker_cell) as c, \
                    c.temporary_read_deleted('yes'):
                marker_row = instance_obj.Instance.get_by_uuid(c, marker)
            marker_key = getattr(marker_row, sort_key)

        results = []
        for cell in self.cells(context):
            in_marker_cell = (marker_cell is not None and
                              cell.uuid == marker_cell.uuid)
            try:
                with migrator_context.target_cell(context, cell) as cctxt:
                    rows = list(instance_obj.InstanceList.get_by_filters(
                        cctxt, dict(filters), sort_key=sort_key,
                        sort_dir=sort_dir,
                        limit=limit if (marker is None or in_marker_cell)
                        else None,
                        marker=marker if in_marker_cell else None))
            except exception.MigratorException:
                raise
            except Exception:
                LOG.warning('Cell %s did not answer; its servers are left '
                            'out', cell.identity, exc_info=True)
                continue
            if marker is not None and not in_marker_cell:
                rows = [r for r in rows
                        if _after(getattr(r, sort_key), marker_key,
                                  sort_dir)]
            for row in rows:
                row._cell = cell
            results.extend(rows)
        results.sort(key=lambda r: (_sortable(getattr(r, sort_key)), r.id),
                     reverse=(sort_dir == 'desc'))
        return results[:limit] if limit is not None else results

    def create_server(self, context, name, flavorid, image_ref,
                      metadata=None, availability_zone=None,
                      requested_host=None, requested_node=None):
        try:
            flavor = flavor_obj.Flavor.get_by_flavor_id(context, flavorid)
        except exception.FlavorNotFound:
            raise exception.Invalid(reason='Flavor %s could not be found.'
                                    % flavorid)
        if flavor.disabled:
            raise exception.Invalid(reason='Flavor is disabled.')
        if requested_host:
            cell = self._host_cell(context, requested_host)
            with migrator_context.target_cell(context, cell) as cctxt:
                nodes = compute_node_obj.ComputeNodeList.get_all_by_host(
                    cctxt, requested_host)
            if requested_node and requested_node not in \
                    [n.hypervisor_hostname for n in nodes]:
                raise exception.ComputeNodeNotFound(node=requested_node)
        elif requested_node:
            cell, node = self._find_node(context, requested_node)
            requested_host = node.host
        else:
            cell = default_cell(context)
        instance = instance_obj.Instance(
            context, uuid=uuidutils.generate_uuid(), display_name=name,
            user_id=context.user_id, project_id=context.project_id,
            vm_state=instance_obj.BUILDING,
            task_state=instance_obj.SCHEDULING, power_state=0,
            image_ref=image_ref, flavor=flavor, instance_type_id=flavor.id,
            memory_mb=flavor.memory_mb, vcpus=flavor.vcpus,
            root_gb=flavor.root_gb, ephemeral_gb=flavor.ephemeral_gb,
            metadata=dict(metadata or {}), locked=False, progress=0,
            availability_zone=availability_zone)
        # A new server's 'updated' is its creation time, so that it is in
        # changes-since listings from the start.
        instance.updated_at = timeutils.utcnow()
        with migrator_context.target_cell(context, cell) as cctxt:
            instance.create()
            mapping = mapping_obj.InstanceMapping(
                context, instance_uuid=instance.uuid, cell_mapping=cell,
                project_id=context.project_id, user_id=context.user_id,
                queued_for_delete=False)
            try:
                mapping.create()
            except Exception:
                instance.destroy()
                raise
            action_obj.InstanceAction.action_start(cctxt, instance.uuid,
                                                   'create')
            self.conductor_rpcapi.build_instances(
                cctxt, instance, requested_host=requested_host,
                requested_node=requested_node)
        instance._cell = cell
        return instance

    def _find_node(self, context, nodename):
        for cell, nodes in self._each_cell(
                context, compute_node_obj.ComputeNodeList.get_all):
            for node in nodes:
                if node.hypervisor_hostname == nodename:
                    return cell, node
        raise exception.ComputeNodeNotFound(node=nodename)

    def delete_server(self, context, uuid):
        instance = self.get_server(context, uuid)
        if instance.locked and not context.is_admin:
            raise exception.InstanceIsLocked(instance_uuid=uuid)
        cell = instance._cell
        with migrator_context.target_cell(context, cell) as cctxt:
            instance._context = cctxt
            if instance.host and self._host_is_up(cctxt, instance.host):
                instance.task_state = instance_obj.DELETING
                instance.save()
                action_obj.InstanceAction.action_start(cctxt, uuid,
                                                       'delete')
                mapping = mapping_obj.InstanceMapping.get_by_instance_uuid(
                    context, uuid)
                mapping.queued_for_delete = True
                mapping.save()
                self.compute_rpcapi.terminate_instance(cctxt, instance,
                                                       instance.host)
                return
            # Never placed (or its host is down): nothing runs it, so the
            # record is deleted here.
            action_obj.InstanceAction.action_start(cctxt, uuid, 'delete')
            instance.destroy()
        mapping = mapping_obj.InstanceMapping.get_by_instance_uuid(
            context, uuid)
        mapping.queued_for_delete = True
        mapping.save()

    @staticmethod
    def _host_is_up(context, host):
        try:
            service = service_obj.Service.get_by_compute_host(context, host)
        except exception.ComputeHostNotFound:
            return False
        return service.is_up

    def host_status(self, context, instance):
        """Nova's host_status: UP, DOWN, MAINTENANCE (disabled) or ''."""
        if not instance.host:
            return ''
        try:
            service = service_obj.Service.get_by_compute_host(
                context, instance.host)
        except exception.ComputeHostNotFound:
            return 'UNKNOWN'
        if service.forced_down or not service.is_up:
            return 'DOWN'
        if service.disabled:
            return 'MAINTENANCE'
        return 'UP'

    # -- live migration -------------------------------------------------
    def live_migrate(self, context, instance, host, block_migration,
                     force, async_):
        """Start the live migration of ``instance`` (from ``get_server``).

        What stays synchronous at every microversion is checked here: the
        lock (admins pass it, as in Nova), the state (ACTIVE or PAUSED
        with no task), the named host. Then the task is claimed with a
        compare-and-swap on task_state, so that of two racing requests
        one wins and the other gets UnexpectedTaskStateError (409); the
        action ``live-migration`` and the Migration (``accepted``) are
        written before the conductor is asked, so a crash leaves records
        to clean up. ``async_`` (2.34 and later) casts
        ``live_migrate_server`` and returns at once; otherwise
        ``migrate_server`` is called and a failed pre-check is raised
        (the conductor has put the instance back as it was).
        """
        if instance.locked and not context.is_admin:
            raise exception.InstanceIsLocked(instance_uuid=instance.uuid)
        if instance.vm_state not in LIVE_MIGRATE_VM_STATES:
            raise exception.InstanceInvalidState(
                instance_uuid=instance.uuid, attr='vm_state',
                state=instance.vm_state, method='live_migrate')
        if instance.task_state is not None:
            raise exception.InstanceInvalidState(
                instance_uuid=instance.uuid, attr='task_state',
                state=instance.task_state, method='live_migrate')
        if host:
            # An unknown host is the caller's mistake: answer it before
            # anything is written.
            with migrator_context.target_cell(
                    context, self._host_cell(context, host)) as cctxt:
                compute_node_obj.ComputeNodeList.get_all_by_host(cctxt,
                                                                 host)
        with migrator_context.target_cell(context, instance._cell) as cctxt:
            instance._context = cctxt
            instance.task_state = instance_obj.MIGRATING
            instance.save(expected_task_state=[None],
                          expected_vm_state=list(LIVE_MIGRATE_VM_STATES))
            action_obj.InstanceAction.action_start(
                cctxt, instance.uuid, LIVE_MIGRATION_ACTION)
            migration = migration_obj.Migration(
                cctxt, status='accepted', migration_type='live-migration',
                instance_uuid=instance.uuid, source_compute=instance.host,
                source_node=instance.node,
                old_instance_type_id=instance.instance_type_id,
                new_instance_type_id=instance.instance_type_id,
                user_id=context.user_id, project_id=context.project_id)
            migration.create()
            if async_:
                self.conductor_rpcapi.live_migrate_server(
                    cctxt, instance, host, block_migration=block_migration,
                    force=force, migration=migration)
            else:
                self.conductor_rpcapi.migrate_server(
                    cctxt, instance, host, live=True,
                    block_migration=block_migration, force=force,
                    migration=migration)
        return migration

    # -- instance actions -------------------------------------------------
    def get_instance_actions(self, context, instance, limit=None,
                             marker=None, filters=None):
        """The actions of ``instance``, newest first (``marker`` is a
        request id; MarkerNotFound when it names none of them)."""
        with migrator_context.target_cell(context, instance._cell) as cctxt:
            return action_obj.InstanceActionList.get_by_instance_uuid(
                cctxt, instance.uuid, limit=limit, marker=marker,
                filters=filters)

    def get_instance_action(self, context, instance, request_id):
        with migrator_context.target_cell(context, instance._cell) as cctxt:
            return action_obj.InstanceAction.get_by_request_id(
                cctxt, instance.uuid, request_id)

    def get_instance_action_events(self, context, instance, action):
        with migrator_context.target_cell(context, instance._cell) as cctxt:
            return action_obj.InstanceActionEventList.get_by_action(
                cctxt, action.id)

    # -- migrations -------------------------------------------------------
    def list_migrations(self, context, filters, limit=None, marker=None):
        """Migrations of every cell matching ``filters`` (see
        ``MigrationList.get_by_filters``), newest first (created_at desc,
        id desc), the page after ``marker`` (a migration uuid;
        MarkerNotFound when no cell has it). With one cell this is one
        keyset-paged query."""
        cells_ = self.cells(context)
        marker_cell = marker_key = None
        if marker is not None:
            for cell in cells_:
                with migrator_context.target_cell(context, cell) as cctxt, \
                        cctxt.temporary_read_deleted('yes'):
                    try:
                        row = _migration_by_marker(cctxt, marker)
                    except exception.MigrationNotFound:
                        continue
                marker_cell, marker_key = cell, row.created_at
                marker = row.uuid
                break
            if marker_cell is None:
                raise exception.MarkerNotFound(marker=marker)

        results = []
        for cell in cells_:
            in_marker_cell = marker_cell is not None and \
                cell.uuid == marker_cell.uuid
            # Another cell's rows are compared with the marker's
            # created_at here; ids of different cells do not compare.
            try:
                with migrator_context.target_cell(context, cell) as cctxt:
                    rows = list(migration_obj.MigrationList.get_by_filters(
                        cctxt, dict(filters), limit=limit
                        if (marker is None or in_marker_cell) else None,
                        marker=marker if in_marker_cell else None))
            except exception.MigratorException:
                raise
            except Exception:
                LOG.warning('Cell %s did not answer; its migrations are '
                            'left out', cell.identity, exc_info=True)
                continue
            if marker is not None and not in_marker_cell:
                rows = [r for r in rows
                        if _after(r.created_at, marker_key, 'desc')]
            results.extend(rows)
        if len(cells_) > 1:
            results.sort(key=lambda r: (_sortable(r.created_at), r.id),
                         reverse=True)
        return results[:limit] if limit is not None else results

    def _in_cell(self, context, instance):
        return migrator_context.target_cell(context, instance._cell)

    def get_server_migrations(self, context, instance, statuses):
        """The live migrations of ``instance`` whose status is in
        ``statuses``, newest first."""
        with self._in_cell(context, instance) as cctxt:
            return list(migration_obj.MigrationList.get_by_filters(
                cctxt, {'instance_uuid': instance.uuid,
                        'migration_type': 'live-migration',
                        'status': list(statuses)}))

    def get_server_migration(self, context, instance, migration_id):
        """MigrationNotFoundForInstance unless ``migration_id`` is one of
        the instance's migrations."""
        with self._in_cell(context, instance) as cctxt:
            return migration_obj.Migration.get_by_id_and_instance(
                cctxt, migration_id, instance.uuid)

    @staticmethod
    def _check_lock(context, instance):
        if instance.locked and not context.is_admin:
            raise exception.InstanceIsLocked(instance_uuid=instance.uuid)

    @staticmethod
    def _check_state(instance, method, vm_states=None, task_states=None):
        if vm_states is not None and instance.vm_state not in vm_states:
            raise exception.InstanceInvalidState(
                instance_uuid=instance.uuid, attr='vm_state',
                state=instance.vm_state, method=method)
        if task_states is not None and \
                instance.task_state not in task_states:
            raise exception.InstanceInvalidState(
                instance_uuid=instance.uuid, attr='task_state',
                state=instance.task_state, method=method)

    def live_migrate_force_complete(self, context, instance, migration_id):
        """Ask the source to finish a running live migration now. The
        instance must be ACTIVE and MIGRATING and not locked (409); the
        migration must be the instance's and ``running`` (400)."""
        self._check_lock(context, instance)
        self._check_state(instance, 'force_complete',
                          vm_states=[instance_obj.ACTIVE],
                          task_states=[instance_obj.MIGRATING])
        with self._in_cell(context, instance) as cctxt:
            migration = migration_obj.Migration.get_by_id_and_instance(
                cctxt, migration_id, instance.uuid)
            if migration.status != 'running':
                raise exception.InvalidMigrationState(
                    migration_id=migration_id, instance_uuid=instance.uuid,
                    state=migration.status, method='force complete')
            action_obj.InstanceAction.action_start(
                cctxt, instance.uuid, 'live_migration_force_complete')
            self.compute_rpcapi.live_migration_force_complete(
                cctxt, instance, migration.id)

    def live_migrate_abort(self, context, instance, migration_id,
                           allowed_statuses=('running',)):
        """Ask the source to cancel a live migration in one of
        ``allowed_statuses`` (400 otherwise; 2.65 adds queued and
        preparing). The instance must be MIGRATING and not locked
        (409)."""
        self._check_lock(context, instance)
        self._check_state(instance, 'abort live migration',
                          task_states=[instance_obj.MIGRATING])
        with self._in_cell(context, instance) as cctxt:
            migration = migration_obj.Migration.get_by_id_and_instance(
                cctxt, migration_id, instance.uuid)
            if migration.status not in allowed_statuses:
                raise exception.InvalidMigrationState(
                    migration_id=migration_id, instance_uuid=instance.uuid,
                    state=migration.status, method='abort live migration')
            action_obj.InstanceAction.action_start(
                cctxt, instance.uuid, 'live_migration_cancel')
            self.compute_rpcapi.live_migration_abort(cctxt, instance,
                                                     migration.id)

    # -- services ---------------------------------------------------------
    def list_services(self, context, host=None, binary=None):
        found = []
        for cell, services in self._each_cell(
                context, lambda c: service_obj.ServiceList.get_all(
                    c, binary=binary, host=host)):
            for service in services:
                service._cell = cell
                found.append(service)
        return found

    def get_service(self, context, service_id=None, uuid=None):
        for service in self.list_services(context):
            if (uuid is not None and service.uuid == uuid) or \
                    (service_id is not None and service.id == service_id):
                return service
        raise exception.ServiceNotFound(service_id=uuid or service_id)

    def get_service_by_host_and_binary(self, context, host, binary):
        services = self.list_services(context, host=host, binary=binary)
        if not services:
            raise exception.HostBinaryNotFound(host=host, binary=binary)
        return services[0]

    def update_service(self, context, service, **values):
        with migrator_context.target_cell(context, service._cell) as cctxt:
            service._context = cctxt
            for key, value in values.items():
                setattr(service, key, value)
            service.save()
        return service

    def delete_service(self, context, service):
        cell = service._cell
        with migrator_context.target_cell(context, cell) as cctxt:
            if service.binary == COMPUTE_BINARY:
                if instance_obj.InstanceList.get_by_host(cctxt,
                                                         service.host):
                    raise exception.Conflict(
                        reason='Unable to delete compute service that is '
                               'hosting instances. Migrate or delete the '
                               'instances first.')
            service._context = cctxt
            service.destroy()
        if service.binary == COMPUTE_BINARY:
            try:
                host_mapping_obj.HostMapping.get_by_host(
                    context, service.host).destroy()
            except exception.HostMappingNotFound:
                pass

    # -- compute nodes (hypervisors) ----------------------------------------
    def list_compute_nodes(self, context):
        found = []
        for cell, nodes in self._each_cell(
                context, compute_node_obj.ComputeNodeList.get_all):
            for node in nodes:
                node._cell = cell
                found.append(node)
        return found

    def node_service(self, context, node):
        with migrator_context.target_cell(context, node._cell) as cctxt:
            try:
                return service_obj.Service.get_by_compute_host(cctxt,
                                                               node.host)
            except exception.ComputeHostNotFound:
                return None

    def node_instances(self, context, node):
        with migrator_context.target_cell(context, node._cell) as cctxt:
            return [i for i in instance_obj.InstanceList.get_by_filters(
                cctxt, {'host': node.host, 'node': node.hypervisor_hostname})]


def _migration_by_marker(context, marker):
    """The migration a list marker names: its uuid (Nova's marker), or
    its integer id, which openstacksdk sends when it asks for one more
    page after the last (the first cell with that id wins)."""
    if str(marker).isdigit():
        return migration_obj.Migration.get_by_id(context, int(marker))
    return migration_obj.Migration.get_by_uuid(context, marker)


def _sortable(value):
    # None sorts first, as in SQL's ascending order on most backends.
    return (value is not None, value if value is not None else 0)


def _after(value, marker_value, sort_dir):
    if sort_dir == 'desc':
        return _sortable(value) < _sortable(marker_value)
    return _sortable(value) > _sortable(marker_value)
