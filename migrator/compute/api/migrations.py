"""Migrations: os-migrations across cells, a server's live migrations,
and the operator controls force-complete, abort and (2.107) the runtime
controls."""
from oslo_log import log as logging

from migrator.compute.api import base
from migrator import context as migrator_context
from migrator import exception
from migrator.objects import instance as instance_obj
from migrator.objects import instance_action as action_obj
from migrator.objects import migration as migration_obj

LOG = logging.getLogger(__name__)


class MigrationsMixin:
    # -- migrations -------------------------------------------------------
    def list_migrations(self, context, filters, limit=None, marker=None,
                        rows=False):
        """Migrations of every cell matching ``filters`` (see
        ``MigrationList.get_by_filters``), newest first (created_at desc,
        id desc), the page after ``marker`` (a migration uuid;
        MarkerNotFound when no cell has it). With one cell this is one
        keyset-paged query. With ``rows``, the page's database rows (read
        only, columns as attributes, no cell attached; only
        ``migration_obj.OS_MIGRATIONS_COLUMNS``) instead of Migration
        objects: what a caller that only shows them wants."""
        marker_cell = marker_key = None
        columns = migration_obj.OS_MIGRATIONS_COLUMNS if rows else None
        # The cells are read once for the marker's lookup and the page.
        cells = self.cells(context)
        if marker is not None:
            marker_cell, row = self._find_migration_marker(context, marker,
                                                           cells)
            marker_key, marker = row.created_at, row.uuid

        return self._merge_cells(
            context,
            lambda cctxt, page_limit, page_marker, after:
                migration_obj.MigrationList.rows_by_filters(
                    cctxt, dict(filters), limit=page_limit,
                    marker=page_marker, after=after, columns=columns),
            'migrations', 'created_at', 'desc', limit=limit, marker=marker,
            marker_cell=marker_cell, marker_key=marker_key,
            build=None if rows else migration_obj.MigrationList.from_row,
            tag=not rows, cells=cells)

    def _find_migration_marker(self, context, marker, cells=None):
        """(cell, migration) of a list marker, every cell asked at once;
        MarkerNotFound when no cell that answers has it."""
        def find(cctxt, cell):
            with cctxt.temporary_read_deleted('yes'):
                try:
                    return base.migration_by_marker(cctxt, marker)
                except exception.MigrationNotFound:
                    return None

        if cells is None:
            cells = self.cells(context)
        answers = base.gather_cells(context, cells, find)
        for cell in cells:
            row = answers[cell.uuid]
            if row not in (None, base.DID_NOT_RESPOND, base.RAISED):
                return cell, row
        raise exception.MarkerNotFound(marker=marker)

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

    # -- runtime controls (2.107) -------------------------------------
    def _live_migration_control(self, context, instance, migration_id,
                                what, action, send, post_copy=False):
        """Check, record the instance action ``action`` and ``send`` a
        runtime control to the source. The instance must be ACTIVE and
        MIGRATING and not locked (409); the migration must be the
        instance's (MigrationNotFoundForInstance) and ``running`` (409;
        ``running (post-copy)`` too); ``post_copy`` also needs post-copy
        permitted when the migration started (409)."""
        self._check_lock(context, instance)
        self._check_state(instance, what,
                          vm_states=[instance_obj.ACTIVE],
                          task_states=[instance_obj.MIGRATING])
        with self._in_cell(context, instance) as cctxt:
            migration = migration_obj.Migration.get_by_id_and_instance(
                cctxt, migration_id, instance.uuid)
            if migration.status != 'running' or \
                    migration.migration_type != 'live-migration':
                raise exception.MigrationNotRunning(
                    migration_id=migration_id, instance_uuid=instance.uuid,
                    state=migration.status, method=what)
            detail = migration.progress_detail or {}
            if post_copy and not detail.get('post_copy_permitted'):
                raise exception.PostCopyNotPermitted(
                    migration_id=migration_id, instance_uuid=instance.uuid)
            if not self.compute_rpcapi.can_send_version(
                    self.compute_rpcapi.METHODS[action][0]):
                raise exception.Conflict(
                    reason='the compute services are pinned to an RPC '
                           'version without %s' % action)
            action_obj.InstanceAction.action_start(
                cctxt, instance.uuid, action)
            send(cctxt, migration)

    def live_migrate_set_max_downtime(self, context, instance, migration_id,
                                      milliseconds):
        """Set the max downtime of a running live migration (its downtime
        steps stop)."""
        self._live_migration_control(
            context, instance, migration_id, 'set max downtime',
            'live_migration_set_max_downtime',
            lambda cctxt, migration:
                self.compute_rpcapi.live_migration_set_max_downtime(
                    cctxt, instance, migration.id, milliseconds))

    def live_migrate_set_bandwidth(self, context, instance, migration_id,
                                   mib_per_s):
        """Cap the bandwidth of a running live migration (0: no cap)."""
        self._live_migration_control(
            context, instance, migration_id, 'set bandwidth',
            'live_migration_set_bandwidth',
            lambda cctxt, migration:
                self.compute_rpcapi.live_migration_set_bandwidth(
                    cctxt, instance, migration.id, mib_per_s))

    def live_migrate_switch_to_post_copy(self, context, instance,
                                         migration_id):
        """Switch a running live migration to post-copy (only when it
        started with post-copy permitted)."""
        self._live_migration_control(
            context, instance, migration_id, 'switch to post-copy',
            'live_migration_switch_to_post_copy',
            lambda cctxt, migration:
                self.compute_rpcapi.live_migration_switch_to_post_copy(
                    cctxt, instance, migration.id), post_copy=True)

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
