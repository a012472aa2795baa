"""Live migration (seed 000) and the instance actions that report it."""
from oslo_utils import timeutils

from migrator.compute.api import base
from migrator import context as migrator_context
from migrator.db import session
from migrator.objects import compute_node as compute_node_obj
from migrator.objects import instance as instance_obj
from migrator.objects import instance_action as action_obj
from migrator.objects import migration as migration_obj


class LiveMigrationMixin:
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
        self._check_live_migrate(context, instance, host)
        with migrator_context.target_cell(context, instance._cell) as cctxt:
            instance._context = cctxt
            # One transaction for the claim and the two records: one
            # commit instead of three (and one write lock on SQLite), and
            # a lost race or a failure leaves none of them written.
            with session.writer(cctxt) as db:
                migration = self._record_live_migration(cctxt, instance,
                                                        db)
            self._ask_conductor(cctxt, instance, host, block_migration,
                                force, migration, async_)
        return migration

    def accept_live_migration(self, context, uuid, prepare, async_):
        """``live_migrate`` of server ``uuid`` read and claimed in one
        transaction of its cell: what os-migrateLive does.

        The server is read (its cell from the process's instance-cell
        cache, or its instance mapping, as ``get_server``), then
        ``prepare(instance)`` -- the caller's policy checks and arguments,
        returning (host, block_migration, force) or raising -- then the
        checks, the claim and the two records of ``live_migrate``, all on
        one connection of the cell database, then the conductor is asked.
        Reading the server in a transaction of its own (and in a cell
        worker thread) cost one more connection checkout with its ping
        and two rollbacks, and two thread switches, per accept
        (benchmarks/bench_accept_latency.py). An error anywhere before
        the commit writes nothing.
        """
        return self._in_server_cell(
            context, uuid,
            lambda cell, remember: self._accept_in_cell(
                context, cell, uuid, prepare, async_, remember))

    def _accept_in_cell(self, context, cell, uuid, prepare, async_,
                        remember):
        with migrator_context.target_cell(context, cell) as cctxt:
            with session.writer(cctxt) as db:
                # Read with the writer's own session: a reader scope here
                # would begin SQLite's transaction deferred.
                instance = instance_obj.Instance.read_in(db, context, uuid)
                instance._cell = cell
                remember(instance)
                host, block_migration, force = prepare(instance)
                self._check_live_migrate(context, instance, host)
                instance._context = cctxt
                migration = self._record_live_migration(cctxt, instance, db)
            self._ask_conductor(cctxt, instance, host, block_migration,
                                force, migration, async_)
        return migration

    def _check_live_migrate(self, context, instance, host):
        self._check_lock(context, instance)
        self._check_state(instance, 'live_migrate',
                          vm_states=base.LIVE_MIGRATE_VM_STATES,
                          task_states=[None])
        if host:
            # An unknown host is the caller's mistake: answer it before
            # anything is written.
            host_cell = self._host_cell(context, host)
            with migrator_context.target_cell(context, host_cell) as cctxt:
                compute_node_obj.ComputeNodeList.get_all_by_host(cctxt,
                                                                 host)
            self._check_same_cell(instance, host, host_cell)

    @staticmethod
    def _record_live_migration(cctxt, instance, db):
        """The claim (compare-and-swap on task_state), the action and the
        Migration, in the caller's writer transaction ``db``: three Core
        statements on its connection, no ORM object and no nested
        transaction scope (benchmarks/bench_accept_latency.py: the ORM
        flushes and scopes were most of the API's CPU per accept)."""
        now = timeutils.utcnow()
        instance_obj.Instance.claim_task(
            db, instance.uuid, instance_obj.MIGRATING,
            base.LIVE_MIGRATE_VM_STATES, now)
        # The object as save() would leave it: written, no changes.
        instance.task_state = instance_obj.MIGRATING
        instance.updated_at = now
        instance.obj_reset_changes()
        action_obj.InstanceAction.start_in(
            db, cctxt, instance.uuid, base.LIVE_MIGRATION_ACTION, now)
        return migration_obj.Migration.create_live_migration(
            cctxt, instance, db=db, now=now)

    def _ask_conductor(self, cctxt, instance, host, block_migration, force,
                       migration, async_):
        # Committed: the conductor finds both records.
        if async_:
            self.conductor_rpcapi.live_migrate_server(
                cctxt, instance, host, block_migration=block_migration,
                force=force, migration=migration)
        else:
            self.conductor_rpcapi.migrate_server(
                cctxt, instance, host, live=True,
                block_migration=block_migration, force=force,
                migration=migration)

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
