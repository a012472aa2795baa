"""Servers: create, list, show and delete, across cells."""
import time

from oslo_log import log as logging
from oslo_utils import timeutils
from oslo_utils import uuidutils

from migrator.compute.api import base
from migrator.compute.api import instance_cells
from migrator import context as migrator_context
from migrator import exception
from migrator.objects import compute_node as compute_node_obj
from migrator.objects import flavor as flavor_obj
from migrator.objects import instance as instance_obj
from migrator.objects import instance_action as action_obj
from migrator.objects import instance_fault as fault_obj
from migrator.objects import instance_mapping as mapping_obj
from migrator.objects import service as service_obj

LOG = logging.getLogger(__name__)

# Seconds a host's host_status is answered from memory: an admin's GET of
# a server at 2.16+ otherwise reads the host's service row each time (one
# more checkout and 3 round trips per GET, and one per server of a
# detailed list). A service that goes down or is disabled shows within
# this time more; its heartbeat (service_down_time) is slower anyway.
HOST_STATUS_TTL = 1.0
_host_statuses = {}  # (cell uuid, host) -> (monotonic time, status)


def _remembered(instance):
    """``remember`` for a server read in the cell already remembered."""


def _remember_cells(instances):
    """Keep the cell of each scheduled server of a listing (read in its
    cell, tagged ``_cell``), as a read of one server does: a client that
    lists servers and then acts on one (``openstack server list``, then
    a live migration) no longer costs a transaction on the API database
    for each (a third of an accept's CPU in migrator-all)."""
    for instance in instances:
        cell = getattr(instance, '_cell', None)
        if cell is not None and (instance.host or cell.is_cell0):
            instance_cells.CELLS.remember(instance.uuid, cell,
                                          instance.project_id)


class ServersMixin:
    # -- servers ----------------------------------------------------------
    def _mapping(self, context, uuid):
        try:
            mapping = mapping_obj.InstanceMapping.get_by_instance_uuid(
                context, uuid)
        except exception.InstanceMappingNotFound:
            raise exception.InstanceNotFound(instance_id=uuid)
        if mapping.cell_mapping is None:
            raise exception.InstanceNotFound(instance_id=uuid)
        # As Nova's project-scoped lookup: another project's server is
        # not found for a non-admin (the same 404 as no server at all),
        # whatever the policy would allow.
        if getattr(context, 'project_scoped', False) and \
                mapping.project_id != context.project_id:
            raise exception.InstanceNotFound(instance_id=uuid)
        return mapping

    def get_mapping(self, context, uuid):
        """The instance mapping of server ``uuid`` (InstanceNotFound)."""
        return self._mapping(context, uuid)

    def get_server(self, context, uuid):
        """The instance, read in its cell; its cell is
        ``instance.cell_mapping`` (not a field: set on the object)."""
        def read(cell, remember):
            instance = self._read_server(context, cell, uuid)
            remember(instance)
            # Read through a copy of the context: hand the caller's back.
            instance._context = context
            instance._cell = cell
            return instance
        return self._in_server_cell(context, uuid, read)

    def _in_server_cell(self, context, uuid, read):
        """``read(cell, remember)`` in the cell of server ``uuid``: the
        cell this process remembers for it (``instance_cells.CELLS``), or
        else its instance mapping's. ``read`` raises InstanceNotFound if
        the cell has no such server, and calls ``remember(instance)`` once
        it has read it, so that the cell of a scheduled server is kept.
        Another project's server is not found for a project-scoped
        caller, as in ``_mapping``; a remembered cell that no longer has
        the server (deleted) is forgotten and the mapping asked."""
        if not uuidutils.is_uuid_like(uuid):
            raise exception.InstanceNotFound(instance_id=uuid)
        known = instance_cells.CELLS.get(uuid)
        if known is not None:
            cell, project_id = known
            if getattr(context, 'project_scoped', False) and \
                    project_id != context.project_id:
                raise exception.InstanceNotFound(instance_id=uuid)
            try:
                return read(cell, _remembered)
            except exception.InstanceNotFound:
                instance_cells.CELLS.forget(uuid)
        mapping = self._mapping(context, uuid)
        cell = mapping.cell_mapping

        def remember(instance):
            # A scheduled server (or one kept in cell0) stays in its
            # cell. One still being scheduled may yet be moved to cell0.
            if instance.host or cell.is_cell0:
                instance_cells.CELLS.remember(uuid, cell,
                                              mapping.project_id)
        return read(cell, remember)

    @staticmethod
    def _read_server(context, cell, uuid):
        return base.in_cell(
            context, cell,
            lambda cctxt: instance_obj.Instance.get_by_uuid(cctxt, uuid))

    def get_fault(self, context, instance):
        with migrator_context.target_cell(context, instance._cell) as cctxt:
            return fault_obj.InstanceFault.get_latest_for_instance(
                cctxt, instance.uuid)

    def list_servers(self, context, filters, sort_key='created_at',
                     sort_dir='desc', limit=None, marker=None,
                     down_records=False):
        """Instances of every cell matching ``filters`` (see
        ``InstanceList.get_by_filters``), merged in sort order, the page
        after ``marker``: a ``CellResults`` list. With ``down_records``
        (2.69), its ``down_records`` are the instance mappings of the
        cells that did not answer (of the filtered project), for a first
        page only, up to what ``limit`` leaves; Nova lists them as partial
        records."""
        marker_cell = marker_key = None
        if marker is not None:
            try:
                marker_cell = self._mapping(context, marker).cell_mapping
            except exception.InstanceNotFound:
                raise exception.MarkerNotFound(marker=marker)

            def read_marker(cctxt):
                with cctxt.temporary_read_deleted('yes'):
                    return instance_obj.Instance.get_by_uuid(cctxt, marker)
            marker_key = getattr(base.in_cell(context, marker_cell,
                                              read_marker), sort_key)

        results = self._merge_cells(
            context,
            lambda cctxt, page_limit, page_marker, after:
                instance_obj.InstanceList.get_by_filters(
                    cctxt, dict(filters), sort_key=sort_key,
                    sort_dir=sort_dir, limit=page_limit,
                    marker=page_marker, after=after),
            'servers', sort_key, sort_dir, limit=limit, marker=marker,
            marker_cell=marker_cell, marker_key=marker_key)
        _remember_cells(results)
        results.down_records = []
        room = None if limit is None else limit - len(results)
        if down_records and results.down_cells and marker is None and \
                room != 0:
            results.down_records = list(
                mapping_obj.InstanceMappingList.
                get_not_deleted_by_cells_and_project(
                    context, [c.id for c in results.down_cells],
                    filters.get('project_id'), limit=room))
        return results

    def create_server(self, context, name, flavorid, image_ref,
                      metadata=None, availability_zone=None,
                      requested_host=None, requested_node=None,
                      attributes=None, tags=None):
        """A new server in BUILD, its build cast to the conductor.
        ``attributes``: Instance.ATTRIBUTE_KEYS values to keep (the
        scheduler reads ``scheduler_hints``)."""
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
            cell = base.default_cell(context)
        instance = instance_obj.Instance(
            context, uuid=uuidutils.generate_uuid(), display_name=name,
            user_id=context.user_id, project_id=context.project_id,
            vm_state=instance_obj.BUILDING,
            task_state=instance_obj.SCHEDULING, power_state=0,
            image_ref=image_ref, flavor=flavor, instance_type_id=flavor.id,
            memory_mb=flavor.memory_mb, vcpus=flavor.vcpus,
            root_gb=flavor.root_gb, ephemeral_gb=flavor.ephemeral_gb,
            metadata=dict(metadata or {}), locked=False, progress=0,
            availability_zone=availability_zone, server_attributes={},
            tags=list(tags or []))
        instance.set_attributes(**(attributes or {}))
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

    def update_server(self, context, instance, display_name=None,
                      attributes=None):
        """PUT /servers/{id}: a new name and/or attributes."""
        with migrator_context.target_cell(context, instance._cell) as cctxt:
            instance._context = cctxt
            if display_name is not None:
                instance.display_name = display_name
            if attributes:
                instance.set_attributes(**attributes)
            instance.save()
        instance._context = context
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
            # A server waiting in VERIFY_RESIZE: its move is confirmed
            # first, so the source zeroes and frees what it still holds.
            self.confirm_resize_on_deleting(cctxt, instance)
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
        key = (getattr(context, 'cell_uuid', None), instance.host)
        now = time.monotonic()
        seen = _host_statuses.get(key)
        if seen is not None and 0 <= now - seen[0] < HOST_STATUS_TTL:
            return seen[1]
        status = self._read_host_status(context, instance.host)
        _host_statuses[key] = (now, status)
        return status

    @staticmethod
    def _read_host_status(context, host):
        try:
            service = service_obj.Service.get_by_compute_host(context, host)
        except exception.ComputeHostNotFound:
            return 'UNKNOWN'
        if service.forced_down or not service.is_up:
            return 'DOWN'
        if service.disabled:
            return 'MAINTENANCE'
        return 'UP'
