"""Cold migration and resize, conductor side: choose the destination and
have it claim room, then the computes carry the move on.

Steps, top to bottom:
1. the Migration record exists (the API writes it, ``pre-migrating``,
   before it calls; it is made here if not);
2. the source's compute service is usable;
3. a destination: the requested one, checked (up, enabled, same cell,
   not the source unless a resize may stay, room for the new flavor and
   its PMEM namespaces, able to copy PMEM when asked); or the scheduler's
   candidates, tried in turn (at most ``[scheduler] max_attempts``);
4. the destination is written to the Migration (its claim) if the new
   flavor still fits there, checked again under a lock on the host
   (``claims``): a candidate whose room another claim took meanwhile is
   passed over. The destination's ``prep_resize`` (an RPC call) then
   checks that room again, takes PMEM namespaces, records the
   migration context and casts ``resize_instance`` to the source,
   which powers the guest off and copies, and the move goes on without
   the conductor.

If no destination takes the instance, the Migration goes to ``error`` and
the instance back to its state with no task: the guest was never touched.
"""
from oslo_config import cfg
from oslo_log import log as logging

from migrator import capacity
from migrator import claims
from migrator.conductor import scheduler
from migrator.conductor.tasks import base
from migrator import exception
from migrator.objects import compute_node as compute_node_obj
from migrator.objects import host_mapping as host_mapping_obj
from migrator.objects import instance_mapping as instance_mapping_obj
from migrator.objects import migration as migration_obj
from migrator.objects import service as service_obj
from migrator.rpcapi import compute as compute_rpcapi

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


class MigrationEnded(exception.MigrationPreCheckError):
    """The migration was ended by someone else (the stale-migration
    check) while its destination was chosen: it is left alone."""


class MigrationTask(base.TaskBase):
    def __init__(self, context, instance, flavor, destination,
                 copy_pmem_devices, migration=None, compute_rpcapi_=None):
        super().__init__(context, instance)
        self.flavor = flavor
        self.destination = destination
        self.copy_pmem_devices = bool(copy_pmem_devices)
        self.migration = migration
        self.source = instance.host
        self.compute_rpcapi = compute_rpcapi_ or compute_rpcapi.ComputeAPI()

    @property
    def is_resize(self):
        return self.flavor.id != self.instance.instance_type_id

    def _execute(self):
        if self.migration is None:
            self.migration = migration_obj.Migration.create_cold_migration(
                self.context, self.instance, self.flavor)
        scheduler.usable_service(self.context, self.source)
        if self.destination:
            node = self._check_requested_destination()
            self._prep_resize(node)
        else:
            self._try_candidates()
        LOG.info('%s %s of %s: %s -> %s, PMEM data %s',
                 self.migration.migration_type, self.migration.uuid,
                 self.instance.uuid, self.source,
                 self.migration.dest_compute,
                 'copied' if self.copy_pmem_devices else 'not kept')

    # -- destination ------------------------------------------------------
    def _may_stay(self):
        return self.is_resize and CONF.allow_resize_to_same_host

    def _check_requested_destination(self):
        dest = self.destination
        if dest == self.source and not self._may_stay():
            raise exception.UnableToMigrateToSelf(
                instance_id=self.instance.uuid, host=dest)
        scheduler.usable_service(self.context, dest)
        self._check_same_cell(dest)
        self._check_can_copy(dest)
        node = compute_node_obj.ComputeNodeList.get_all_by_host(
            self.context, dest)[0]
        free = capacity.free_capacity(self.context, node)
        short = capacity.lacking(self.flavor, free)
        if short:
            raise exception.NoValidHost(reason='%s lacks room (%s)'
                                        % (dest, short))
        return node

    def _check_same_cell(self, dest):
        try:
            dest_cell = host_mapping_obj.HostMapping.get_by_host(
                self.context, dest).cell_mapping
            mine = instance_mapping_obj.InstanceMapping.get_by_instance_uuid(
                self.context, self.instance.uuid).cell_mapping
        except (exception.HostMappingNotFound,
                exception.InstanceMappingNotFound):
            return
        if mine is not None and dest_cell.uuid != mine.uuid:
            raise exception.MigrationPreCheckError(
                reason='destination %s is in another cell' % dest)

    def _check_can_copy(self, host):
        if not self.copy_pmem_devices:
            return
        svc = service_obj.Service.get_by_compute_host(self.context, host)
        if (svc.version or 0) < service_obj.PMEM_COPY_MIN_VERSION:
            raise exception.PmemCopyNotSupported(
                host=host, version=svc.version,
                required=service_obj.PMEM_COPY_MIN_VERSION)

    def _try_candidates(self):
        exclude = [] if self._may_stay() else [self.source]
        candidates = scheduler.select_hosts(
            self.context, self.flavor, exclude=exclude,
            limit=CONF.scheduler.max_attempts,
            hints=self.instance.attribute('scheduler_hints'))
        failures = []
        for node in candidates:
            try:
                self._check_same_cell(node.host)
                self._check_can_copy(node.host)
                self._prep_resize(node)
                return
            except MigrationEnded:
                raise
            except (exception.MigrationPreCheckError,
                    exception.PmemCopyNotSupported,
                    exception.ComputeHostNotFound) as exc:
                LOG.info('Destination %s rejected for %s: %s', node.host,
                         self.instance.uuid, exc.format_message())
                failures.append('%s: %s' % (node.host,
                                            exc.format_message()))
        raise exception.NoValidHost(reason='; '.join(failures))

    def _prep_resize(self, node):
        # The claim, checked again under a lock on the host: the room
        # read before may have been taken meanwhile by another claim.
        # Written before the call, so that the destination counts it.
        if not claims.claim_for_migration(
                self.migration, node, self.flavor,
                expected_status=['pre-migrating']):
            raise MigrationEnded(
                reason='migration %s was ended during its pre-checks'
                % self.migration.uuid)
        self.compute_rpcapi.prep_resize(
            self.context, self.instance, node.host, self.flavor,
            self.migration, self.copy_pmem_devices)

    def rollback(self, exc):
        if isinstance(exc, MigrationEnded):
            # Whoever ended it freed the server, which may since be
            # another request's.
            return
        if self.migration is not None:
            self.migration.status = 'error'
            self.migration.save()
        self.instance.task_state = None
        self.instance.save()
