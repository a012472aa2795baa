"""Live migration on the source compute: queue, prepare, transfer under
the monitor, then finish on both hosts or roll back.

At most ``[compute] max_concurrent_live_migrations`` run at once; the rest
wait in status ``queued``. Operators' force-complete and abort reach a
running migration through its monitor's command queue; an abort of a
queued or preparing one stops it before the transfer starts.
"""
import queue
import threading
import time

from futurist import ThreadPoolExecutor
from futurist import waiters
from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_utils import timeutils
import sqlalchemy.exc

from migrator.db import session
from migrator import exception
from migrator.instance_events import wrap_instance_event
from migrator import interrupted
from migrator.objects import instance as instance_obj
from migrator.objects import migration as migration_obj
from migrator.objects import service as service_obj
from migrator.rpcapi import compute as compute_rpcapi
from migrator.virt import migration_monitor
from migrator.virt import migration_policy
from migrator.virt import progress as progress_mod

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# Nova in threading mode runs 5 at once when the option is 0.
UNLIMITED_WORKERS = 5
IN_FLIGHT = ('queued', 'preparing', 'running',
             migration_monitor.STATUS_POSTCOPY, 'post-migrating')


def set_status(migration, status, expected=None):
    """Change the status and stamp when the new phase started; with
    ``expected`` (statuses) only if the record is still in one of them.
    Returns whether it changed."""
    _stamp_status(migration, status)
    return migration.save(expected_status=expected)


# A database that refuses a connection (MariaDB 1040 "Too many
# connections", a restart) or a deadlock is worth another try: the
# hand-off must not be dropped on a transient error.
TRANSIENT_DB_ERRORS = (db_exc.DBConnectionError, db_exc.DBDeadlock,
                       sqlalchemy.exc.OperationalError)
#: Seconds between the tries of a hand-off's first write (then gives up).
HAND_OFF_RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 4.0)


def _retried(write, what, delays=None):
    """``write()``, tried again after each of ``delays`` seconds while
    it fails on a transient database error; the last error is raised."""
    delays = HAND_OFF_RETRY_DELAYS if delays is None else delays
    for delay in tuple(delays) + (None,):
        try:
            return write()
        except TRANSIENT_DB_ERRORS as exc:
            if delay is None:
                raise
            LOG.warning('%s failed on the database (%s); retrying in '
                        '%.1f s', what, exc, delay)
            time.sleep(delay)


def _stamp_status(migration, status):
    """``set_status`` without the write."""
    detail = dict(migration.progress_detail or {})
    phases = dict(detail.get('phases') or {})
    phases.setdefault(status, timeutils.utcnow().isoformat() + 'Z')
    detail['phases'] = phases
    migration.status = status
    migration.progress_detail = detail


def destination_down(context, dest):
    """Why ``dest`` cannot take part in a migration now (its compute
    service is down or gone), or None."""
    try:
        service = service_obj.Service.get_by_compute_host(context, dest)
    except exception.ComputeHostNotFound:
        return 'destination compute %s is gone' % dest
    if not service.is_up:
        return 'the compute service of destination %s is down' % dest
    return None


class _Tracked:
    """What the runner knows of one migration out of this host."""

    def __init__(self, migration, instance=None, context=None):
        self.migration_id = migration.id
        self.migration = migration
        self.instance = instance
        self.context = context
        self.commands = queue.Queue()
        self.cancelled = False
        # Cancelled while queued: ended at once, the worker does nothing.
        self.ended = False
        # The worker took it up (under the runner's lock).
        self.started = False
        self.job = None
        self.migrate_data = None


class _MigrationEnded(exception.MigratorException):
    """The migration ended without completing; ``status`` says how."""
    status = 'failed'


class MigrationCancelled(_MigrationEnded):
    msg_fmt = 'Live migration cancelled: %(reason)s'
    status = 'cancelled'


class LiveMigrationFailed(_MigrationEnded):
    msg_fmt = 'Live migration failed: %(reason)s'


class LiveMigrationRunner:
    def __init__(self, host, driver, update_resources, notifier=None):
        self.host = host
        self.driver = driver
        self._update_resources = update_resources
        self._notifier = notifier
        self.compute_rpcapi = compute_rpcapi.ComputeAPI()
        workers = CONF.compute.max_concurrent_live_migrations
        self._executor = ThreadPoolExecutor(
            max_workers=workers or UNLIMITED_WORKERS)
        self._tracked = {}
        self._futures = {}
        self._lock = threading.Lock()
        self._stopping = False

    # -- entry points (called by the manager's RPC methods) ---------------
    def submit(self, context, instance, dest, migration, migrate_data):
        # Only a migration the conductor handed over (still "accepted")
        # starts: one the conductor has since expired must stay ended.
        if self._stopping:
            self._refuse(context, instance, migration)
            return
        try:
            taken = self._take(migration)
        except TRANSIENT_DB_ERRORS as exc:
            self._give_up_hand_off(context, instance, migration, exc)
            return
        if not taken:
            LOG.warning('Live migration %s of %s is no longer accepted '
                        '(expired or ended); not starting it',
                        migration.uuid, instance.uuid)
            return
        with self._lock:
            self._tracked[migration.id] = _Tracked(migration, instance,
                                                   context)
            self._futures[migration.id] = self._executor.submit(
                self._run_and_forget, context, instance, dest, migration,
                migrate_data)

    @staticmethod
    def _take(migration):
        """accepted -> queued, retried on transient database errors.
        A retry also accepts ``queued``: the failed try may have been
        committed before its answer was lost, and this compute is the
        only one that queues this migration."""
        expected = ['accepted']

        def attempt():
            try:
                return set_status(migration, 'queued',
                                  expected=list(expected))
            except TRANSIENT_DB_ERRORS:
                expected[:] = ['accepted', 'queued']
                raise
        return _retried(attempt, 'Taking live migration %s' % migration.uuid)

    def _give_up_hand_off(self, context, instance, migration, exc):
        """The database refused the hand-off's first write every time:
        end the migration visibly (error, action closed, server
        released) rather than leave it ``accepted`` for the stale
        migration check."""
        reason = ('the source compute %s could not record the hand-off: '
                  '%s' % (self.host, exc))
        LOG.error('Live migration %s of %s not started: %s',
                  migration.uuid, instance.uuid, reason)
        try:
            # 'queued' too: a failed try may have been committed. Ended
            # and released in one transaction: a server left migrating
            # after its migration ended would have nothing to free it.
            def end():
                with session.writer(context):
                    if not set_status(migration, 'error',
                                      expected=['accepted', 'queued']):
                        return False
                    interrupted.release_instance(context, instance.uuid,
                                                 self.host)
                return True
            if not _retried(end, 'Ending live migration %s'
                            % migration.uuid):
                return   # someone else ended or moved it meanwhile
            interrupted.close_action(context, migration, reason)
        except TRANSIENT_DB_ERRORS:
            LOG.error('Live migration %s of %s could not be ended either; '
                      'the conductor\'s stale migration check ends it '
                      '([conductor] stale_migration_timeout)',
                      migration.uuid, instance.uuid, exc_info=True)

    def _refuse(self, context, instance, migration):
        """The service is stopping: a hand-off that arrives now ends at
        once instead of starting work nobody will finish."""
        reason = 'compute service on %s stopping' % self.host
        if set_status(migration, 'error', expected=['accepted']):
            LOG.warning('Live migration %s of %s refused: %s',
                        migration.uuid, instance.uuid, reason)
            interrupted.close_action(context, migration, reason)
            interrupted.release_instance(context, instance.uuid, self.host)
            interrupted.refresh_destination(context, self.compute_rpcapi,
                                            migration)

    def force_complete(self, migration_id):
        tracked = self._get(migration_id)
        tracked.commands.put(migration_monitor.FORCE_COMPLETE)

    # -- runtime controls (compute API 2.107) -------------------------------
    def _transferring(self, migration_id, what):
        """The tracked migration, if its transfer runs (the monitor
        applies commands only then); MigrationNotRunning otherwise."""
        tracked = self._get(migration_id)
        with self._lock:
            running = tracked.job is not None and not tracked.cancelled
        if not running:
            raise exception.MigrationNotRunning(
                migration_id=migration_id,
                instance_uuid=tracked.migration.instance_uuid,
                state=tracked.migration.status, method=what)
        return tracked

    def set_max_downtime(self, migration_id, milliseconds):
        tracked = self._transferring(migration_id, 'set max downtime')
        tracked.commands.put((migration_monitor.SET_MAX_DOWNTIME,
                              int(milliseconds)))

    def set_bandwidth(self, migration_id, mib_per_s):
        tracked = self._transferring(migration_id, 'set bandwidth')
        tracked.commands.put((migration_monitor.SET_MAX_SPEED,
                              int(mib_per_s)))

    def switch_to_post_copy(self, migration_id):
        tracked = self._transferring(migration_id, 'switch to post-copy')
        if not migration_policy.permits_post_copy(CONF.live_migration):
            raise exception.PostCopyNotPermitted(
                migration_id=migration_id,
                instance_uuid=tracked.migration.instance_uuid)
        tracked.commands.put(migration_monitor.SWITCH_TO_POST_COPY)

    def abort(self, migration_id):
        tracked = self._get(migration_id)
        with self._lock:
            if tracked.job is None:
                # Not transferring yet: stop it before it starts.
                tracked.cancelled = True
                if not tracked.started:
                    self._cancel_queued(tracked)
                return
        tracked.commands.put(migration_monitor.ABORT)

    def _cancel_queued(self, tracked):
        """A queued migration waits for a slot with nothing done yet: it
        ends now (as Nova does from 2.65), not when the slot frees."""
        migration = tracked.migration
        context = tracked.context
        tracked.ended = True
        # The server and the action first, then the status: whoever sees
        # the migration ended sees the server free and the action closed.
        interrupted.release_instance(context, migration.instance_uuid,
                                     self.host)
        set_status(migration, 'cancelled', expected=['queued'])
        LOG.info('Live migration %s of %s cancelled while queued',
                 migration.uuid, migration.instance_uuid)
        interrupted.refresh_destination(context, self.compute_rpcapi,
                                        migration)
        if self._notifier is not None:
            self._notifier.end(context, tracked.instance, migration)

    def _get(self, migration_id):
        with self._lock:
            tracked = self._tracked.get(migration_id)
        if tracked is None:
            raise exception.MigrationNotFound(migration_id=migration_id)
        return tracked

    def in_flight(self):
        with self._lock:
            return list(self._tracked)

    def shutdown(self, reason, timeout=None):
        """Abort every transfer (service stopping): the guests stay here,
        and each migration is rolled back and recorded by its worker.
        Waits at most ``timeout`` seconds for the workers; what is still
        running then is recorded as interrupted (``record_interrupted``).
        New hand-offs are refused from now on."""
        self._stopping = True
        with self._lock:
            tracked = list(self._tracked.values())
            futures = list(self._futures.values())
        for item in tracked:
            item.cancelled = True
            item.commands.put(migration_monitor.ABORT)
        if tracked:
            LOG.warning('Aborting %d live migration(s): %s', len(tracked),
                        reason)
        if futures:
            waiters.wait_for_all(futures, timeout)
        self._executor.shutdown(wait=False)
        self.record_interrupted(reason)

    def record_interrupted(self, reason):
        """Record the migrations whose workers did not finish in time:
        each ends ``error`` with its destination roll-back pending, its
        action closed, and its instance back without a task; a restarted
        compute or the periodic retry finishes the roll-back."""
        from migrator import context as migrator_context
        with self._lock:
            left = list(self._tracked)
        if not left:
            return
        context = migrator_context.get_admin_context()
        for migration_id in left:
            try:
                migration = migration_obj.Migration.get_by_id(
                    context, migration_id)
            except exception.MigrationNotFound:
                continue
            interrupted.mark_rollback_pending(migration)
            if not set_status(migration, 'error', expected=list(IN_FLIGHT)):
                continue
            LOG.warning('Live migration %s of %s interrupted (%s); marked '
                        'error', migration.uuid, migration.instance_uuid,
                        reason)
            interrupted.close_action(context, migration, reason)
            interrupted.release_instance(context, migration.instance_uuid,
                                         self.host)

    # -- the worker --------------------------------------------------------
    def _run_and_forget(self, context, instance, dest, migration,
                        migrate_data):
        status = 'failed'
        # This pool thread's log lines carry this migration's request.
        context.update_store()
        with self._lock:
            tracked = self._tracked[migration.id]
            tracked.started = True
            if tracked.ended:
                self._tracked.pop(migration.id, None)
                self._futures.pop(migration.id, None)
                return
        tracked.migrate_data = migrate_data
        try:
            self.live_migration(context, instance, dest, migration,
                                migrate_data)
            status = 'completed'
        except Exception as exc:
            if isinstance(exc, _MigrationEnded):
                status = exc.status
                LOG.info('Live migration %s of %s %s: %s', migration.uuid,
                         instance.uuid, status, exc.format_message())
            else:
                LOG.exception('Live migration %s of %s failed',
                              migration.uuid, instance.uuid)
            # After compute_live_migration recorded why: whoever sees the
            # server back on its source also sees the reason.
            self._rollback(context, instance, dest, migration,
                           tracked.migrate_data, status)
        finally:
            # The final status is written after the event closed and this
            # host's usage was refreshed, so whoever sees it finished also
            # sees the whole record. The destination's claim ends with that
            # status: it refreshes its usage once the status is written.
            with self._lock:
                self._tracked.pop(migration.id, None)
                self._futures.pop(migration.id, None)
            self._update_resources(context)
            set_status(migration, status)
            self._refresh_destination(context, dest)
            if self._notifier is not None:
                self._notifier.end(context, instance, migration)

    def _refresh_destination(self, context, dest):
        try:
            self.compute_rpcapi.refresh_resources(context, dest)
        except Exception:
            LOG.warning('Could not ask %s to refresh its usage', dest)

    # Named after the RPC method so that its event is
    # compute_live_migration, and it spans the whole transfer.
    @wrap_instance_event(prefix='compute')
    def live_migration(self, context, instance, dest, migration,
                       migrate_data):
        tracked = self._tracked[migration.id]
        guest = instance.as_guest()
        block_migration = bool((migrate_data or {}).get('block_migration'))
        self._check_not_cancelled(tracked)
        set_status(migration, 'preparing')
        down = destination_down(context, dest)
        if down:
            raise LiveMigrationFailed(reason=down)
        try:
            migrate_data = tracked.migrate_data = \
                self.compute_rpcapi.pre_live_migration(
                    context, instance, dest, migration, migrate_data)
        except messaging.MessagingTimeout as exc:
            # A live destination answers (or sends heartbeats) within
            # rpc_response_timeout, however long its preparation takes.
            raise LiveMigrationFailed(
                reason='destination %s did not answer pre_live_migration: '
                       '%s' % (dest, exc))
        self._check_not_cancelled(tracked)
        # Recorded with the status, so that the API can refuse a switch
        # to post-copy that the monitor would not make (409).
        migration.progress_detail = dict(
            migration.progress_detail or {},
            post_copy_permitted=migration_policy.permits_post_copy(
                CONF.live_migration))
        data_gb = migration_policy.guest_data_gb(guest, block_migration)
        params = migration_policy.start_params(
            CONF.live_migration, block_migration, data_gb)
        with self._lock:
            tracked.job = self.driver.start_live_migration(
                guest, dest, migrate_data, params)
        LOG.info('Live migration %s of %s to %s started (%s)',
                 migration.uuid, instance.uuid, dest, params)
        # 'running' is written by the monitor with its first sample: one
        # write for the start and its first figures.
        monitor = migration_monitor.LiveMigrationMonitor(
            tracked.job, CONF.live_migration, data_gb, tracked.commands,
            save_progress=lambda p, status=None: self._save_progress(
                context, instance, migration, p, status),
            start_status='running',
            # The final figures go out with the status that follows.
            save_final=lambda p, outcome: self._save_progress(
                context, instance, migration, p,
                write=outcome != migration_monitor.COMPLETED),
            set_status=lambda s: set_status(migration, s),
            instance_uuid=instance.uuid,
            check_peer=lambda: destination_down(context, dest),
            peer_check_interval=max(1, CONF.report_interval))
        outcome = monitor.run()
        if outcome.status == migration_monitor.COMPLETED:
            self._post(context, instance, dest, migration, migrate_data)
            return
        if outcome.status == migration_monitor.CANCELLED:
            raise MigrationCancelled(reason=outcome.reason or 'aborted')
        raise LiveMigrationFailed(reason=outcome.reason or 'unknown')

    @staticmethod
    def _check_not_cancelled(tracked):
        if tracked.cancelled:
            raise MigrationCancelled(reason='aborted before the transfer')

    def _save_progress(self, context, instance, migration, progress,
                       status=None, write=True):
        """Put ``progress`` (and ``status``) on the migration and write
        it; with ``write`` False, the next write of the migration (the
        status the completed transfer moves to) carries it."""
        if status is not None:
            _stamp_status(migration, status)
        for key in progress_mod.SEED_001_KEYS:
            setattr(migration, key, progress.get(key))
        detail = dict(migration.progress_detail or {})
        for key in progress_mod.PROGRESS_KEYS[6:]:
            detail[key] = progress.get(key)
        for key in migration_monitor.CONTROL_KEYS:
            if key in progress:
                detail[key] = progress[key]
        migration.progress_detail = detail
        if write:
            migration.save()
        if progress.get('percent') is not None and \
                instance.progress != progress['percent']:
            instance.progress = progress['percent']
            instance.save()
        if self._notifier is not None:
            self._notifier.progress(context, instance, migration)

    def _post(self, context, instance, dest, migration, migrate_data):
        set_status(migration, 'post-migrating')
        guest = instance.as_guest()
        self.compute_rpcapi.post_live_migration_at_destination(
            context, instance, dest, migration, migrate_data)
        self.driver.post_live_migration_at_source(guest)
        LOG.info('Live migration %s of %s to %s completed', migration.uuid,
                 instance.uuid, dest)

    def _rollback(self, context, instance, dest, migration, migrate_data,
                  status):
        LOG.warning('Live migration %s of %s to %s %s; rolling back',
                    migration.uuid, instance.uuid, dest, status)
        try:
            down = destination_down(context, dest)
            if down:
                # Not waited on: the retry does it once it is back.
                raise exception.MigrationError(reason=down)
            self.compute_rpcapi.rollback_live_migration_at_destination(
                context, instance, dest, migration, migrate_data)
        except Exception as exc:
            # The destination may be gone; its claim ends with the
            # migration's status regardless, and the roll-back is retried
            # by retry_pending_rollbacks.
            LOG.warning('Rollback at destination %s of live migration %s '
                        'failed (%s); recorded for a retry', dest,
                        migration.uuid, exc)
            interrupted.mark_rollback_pending(migration)
        instance.refresh()
        instance.task_state = None
        instance.progress = None
        instance.save()


def retry_pending_rollbacks(context, host, compute_rpcapi_client):
    """Periodic: retry the destination roll-backs that failed (the
    destination was unreachable or the service was stopping). Returns how
    many succeeded."""
    done = 0
    ended = migration_obj.MigrationList.get_by_filters(
        context, {'source_compute': host,
                  'status': ['failed', 'cancelled', 'error'],
                  'migration_type': 'live-migration'})
    for migration in ended:
        if not interrupted.rollback_pending(migration) or \
                not migration.dest_compute:
            continue
        try:
            instance = instance_obj.Instance.get_by_uuid(
                context, migration.instance_uuid)
        except exception.InstanceNotFound:
            instance = None
        if instance is not None:
            try:
                compute_rpcapi_client.rollback_live_migration_at_destination(
                    context, instance, migration.dest_compute, migration,
                    None)
            except Exception as exc:
                LOG.info('Rollback at %s of live migration %s still '
                         'failing: %s', migration.dest_compute,
                         migration.uuid, exc)
                continue
        interrupted.mark_rollback_pending(migration, False)
        migration.save()
        interrupted.refresh_destination(context, compute_rpcapi_client,
                                        migration)
        LOG.info('Rollback at %s of live migration %s done on retry',
                 migration.dest_compute, migration.uuid)
        done += 1
    return done


def cleanup_interrupted(context, host, driver, compute_rpcapi_client=None):
    """At start-up: migrations out of ``host`` that were in flight when
    the service died cannot resume. Mark them ``error`` and give the
    instances back their state, so nothing is left half-done unseen."""
    guests_here = set(driver.list_instance_uuids())
    stale = migration_obj.MigrationList.get_by_filters(
        context, {'source_compute': host, 'status': list(IN_FLIGHT),
                  'migration_type': 'live-migration'})
    for migration in stale:
        LOG.warning('Live migration %s of %s was interrupted by a restart '
                    'of %s; marking it error', migration.uuid,
                    migration.instance_uuid, host)
        # The server and the action first, then the status: whoever sees
        # the migration ended sees the server free and the action closed.
        try:
            instance = instance_obj.Instance.get_by_uuid(
                context, migration.instance_uuid)
        except exception.InstanceNotFound:
            instance = None
        if instance is not None and instance.host == host and \
                instance.uuid in guests_here:
            instance.task_state = None
            instance.save()
        interrupted.close_action(
            context, migration, 'interrupted by a restart of the compute '
            'service on %s' % host)
        if migration.dest_compute:
            interrupted.mark_rollback_pending(migration)
        set_status(migration, 'error')
        if compute_rpcapi_client is not None:
            interrupted.refresh_destination(context, compute_rpcapi_client,
                                            migration)
