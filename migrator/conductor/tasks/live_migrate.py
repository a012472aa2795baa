"""Live migration, conductor side: the pre-checks, then hand-off to the
source compute.

Steps, top to bottom:
1. the Migration record exists (the API writes it before it casts or
   calls; it is made here if not) with status ``accepted``;
2. the source's compute service is usable;
3. a destination: the requested one, checked; or, with no host given,
   the scheduler's candidates, tried in turn (at most
   ``[scheduler] max_attempts``) until one passes every check;
4. the destination and source computes' own checks (RPC calls);
5. the destination is written to the Migration (its claim) if the
   instance still fits there, checked again under a lock on the host
   (``claims``): a candidate whose room another claim took meanwhile is
   passed over as one that failed its checks. Then the migration is
   cast to the source compute.

On a failed check the Migration goes to ``error`` and the instance back to
its state with no task: the guest was never touched. A migration that is
no longer ``accepted`` (the stale-migration check ended it while the
request waited in a queue, and the server may since have taken another)
is left alone: its checks stop, and neither it nor the server is
written.
"""
from oslo_config import cfg
from oslo_log import log as logging

from migrator import capacity
from migrator import claims
from migrator.conductor import scheduler
from migrator.conductor.tasks import base
from migrator.db import session
from migrator import exception
from migrator.objects import compute_node as compute_node_obj
from migrator.objects import host_mapping as host_mapping_obj
from migrator.objects import instance as instance_obj
from migrator.objects import instance_mapping as instance_mapping_obj
from migrator.objects import migration as migration_obj
from migrator.rpcapi import compute as compute_rpcapi

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

_UNREAD = object()


class LiveMigrationTask(base.TaskBase):
    def __init__(self, context, instance, destination, block_migration,
                 force, migration=None):
        super().__init__(context, instance)
        self.destination = destination
        self.block_migration = block_migration
        self.force = force
        self.migration = migration
        self.source = instance.host
        self.compute_rpcapi = compute_rpcapi.ComputeAPI()
        self.migrate_data = None
        # Read once per task (_source_node, _instance_cell).
        self._source_cn = None
        self._my_cell = _UNREAD

    def _execute(self):
        handed_over = self.migration is not None
        if not handed_over:
            self.migration = migration_obj.Migration.create_live_migration(
                self.context, self.instance)
        # The checks' reads, up to the first call to a compute, in one
        # transaction of the cell database (and one of the API's): they
        # were a transaction each, a connection checkout, ping and
        # rollback apiece, most of the conductor's CPU per migration.
        # None is held across an RPC call.
        with session.reader(self.context):
            if handed_over:
                self._check_still_accepted()
            scheduler.usable_service(self.context, self.source)
            if self.destination:
                dest_node = self._check_requested_destination()
            else:
                candidates = scheduler.select_hosts(
                    self.context, self.instance.flavor,
                    exclude=[self.source],
                    limit=CONF.scheduler.max_attempts,
                    hints=self.instance.attribute('scheduler_hints'))
                # Each candidate is compared with the source's node: read
                # it here with the rest. If it is missing, the first
                # comparison raises, as it did.
                try:
                    self._source_node()
                except exception.ComputeNodeNotFound:
                    pass
        if self.destination:
            self.migrate_data = self._call_compute_checks(
                self.destination)
            if not self._claim(dest_node):
                self._ended_meanwhile('during its pre-checks')
        else:
            dest_node = self._find_destination(candidates)
        LOG.info('Live migration %s of %s: pre-checks passed, %s -> %s',
                 self.migration.uuid, self.instance.uuid, self.source,
                 dest_node.host)
        self.compute_rpcapi.live_migration(
            self.context, self.instance, dest_node.host, self.migration,
            self.migrate_data)

    def _check_still_accepted(self):
        current = migration_obj.Migration.get_by_id(self.context,
                                                    self.migration.id)
        if current.status != 'accepted':
            self._ended_meanwhile('(%s) before its pre-checks began'
                                  % current.status)

    def _ended_meanwhile(self, when):
        raise exception.MigrationPreCheckError(
            reason='migration %s was ended %s' % (self.migration.uuid, when))

    # -- destination checks ---------------------------------------------
    def _check_requested_destination(self):
        dest = self.destination
        if dest == self.source:
            raise exception.UnableToMigrateToSelf(
                instance_id=self.instance.uuid, host=dest)
        scheduler.usable_service(self.context, dest)
        self._check_same_cell(dest)
        node = compute_node_obj.ComputeNodeList.get_all_by_host(
            self.context, dest)[0]
        capacity.check_fits(self.context, node, self.instance.flavor)
        self._check_hypervisor(node)
        return node

    def _check_same_cell(self, dest):
        try:
            # Both mappings in one transaction of the API database.
            with session.api_reader(self.context):
                dest_cell = host_mapping_obj.HostMapping.get_by_host(
                    self.context, dest).cell_mapping
                mine = self._instance_cell()
        except (exception.HostMappingNotFound,
                exception.InstanceMappingNotFound):
            # Unmapped hosts live in the default cell, as the instance.
            return
        if mine is not None and dest_cell.uuid != mine.uuid:
            raise exception.MigrationPreCheckError(
                reason='destination %s is in another cell' % dest)

    def _instance_cell(self):
        # Read once per task: each candidate destination is checked
        # against it.
        if self._my_cell is _UNREAD:
            self._my_cell = instance_mapping_obj.InstanceMapping.\
                get_by_instance_uuid(self.context,
                                     self.instance.uuid).cell_mapping
        return self._my_cell

    def _check_hypervisor(self, dest_node):
        source_node = self._source_node()
        if source_node.hypervisor_type != dest_node.hypervisor_type:
            raise exception.InvalidHypervisorType(
                reason='source is %s, destination %s'
                % (source_node.hypervisor_type, dest_node.hypervisor_type))
        if (dest_node.hypervisor_version or 0) < \
                (source_node.hypervisor_version or 0):
            raise exception.DestinationHypervisorTooOld()

    def _source_node(self):
        # Read once per task: each candidate destination is compared
        # with it.
        if self._source_cn is None:
            self._source_cn = compute_node_obj.ComputeNode.\
                get_by_host_and_nodename(self.context, self.source,
                                         self.instance.node)
        return self._source_cn

    def _call_compute_checks(self, dest):
        return self.compute_rpcapi.check_can_live_migrate_destination(
            self.context, self.instance, dest, self.block_migration,
            self.migration)

    def _find_destination(self, candidates):
        """Try the scheduler's candidates, best first (at most
        ``[scheduler] max_attempts`` of them)."""
        failures = []
        for node in candidates:
            try:
                self._check_same_cell(node.host)
                self._check_hypervisor(node)
                self.migrate_data = self._call_compute_checks(node.host)
                claimed = self._claim(node)
            except (exception.MigrationPreCheckError,
                    exception.ComputeHostNotFound) as exc:
                LOG.info('Destination %s rejected for %s: %s', node.host,
                         self.instance.uuid, exc.format_message())
                failures.append('%s: %s' % (node.host,
                                            exc.format_message()))
                continue
            if not claimed:
                self._ended_meanwhile('during its pre-checks')
            return node
        raise exception.NoValidHost(reason='; '.join(failures))

    def _claim(self, node):
        """Write ``node`` as the destination (the migration's claim) if
        the instance still fits there: the room read with the checks may
        have been taken meanwhile by another claim (InsufficientResources).
        Whether the migration was still ``accepted``."""
        return claims.claim_for_migration(
            self.migration, node, self.instance.flavor,
            expected_status=['accepted'])

    def rollback(self, exc):
        # One transaction: the migration ended without its server freed
        # would hold the server in its task for ever.
        with session.writer(self.context):
            if self.migration is not None:
                self.migration.status = 'error'
                if not self.migration.save(expected_status=['accepted']):
                    # Ended by someone else, who freed the server: it may
                    # since be another request's.
                    return
            # The guest was never touched: it stays as it was, no task.
            self.instance.task_state = None
            try:
                self.instance.save(
                    expected_task_state=[instance_obj.MIGRATING])
            except exception.UnexpectedTaskStateError:
                pass
