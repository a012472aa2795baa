"""The live-migration monitor: watches and steers one migration out of this
host, for any driver.

It runs on the source compute, in the thread the compute manager gives
it, for as long as the migration runs. Every ``monitor_poll_interval`` it
samples the driver's job stats and, in Nova's order: runs the operators'
queued commands, applies the completion timeout, the stall detector and the
downtime steps, and folds the sample into the progress estimate. Progress is
handed to the manager (``save_progress``) at most every
``progress_save_interval``, samples in between coalesced, and once more at
the end. ``run()`` returns the outcome; the manager does the rest
(post-migration or rollback).

Commands (``commands``, a queue.Queue the manager puts into):

* ``'force-complete'``: switch to post-copy if permitted, else pause the
  guest (resumed again if the migration then fails or is cancelled);
* ``'abort'``: cancel the migration, in any phase but post-copy;
* ``('set-max-downtime', ms)``: set the downtime now; stops the steps;
* ``('set-max-speed', mib)``: cap the bandwidth (0: no cap);
* ``'switch-to-post-copy'``: switch to post-copy (only when permitted;
  never pauses the guest).

The progress handed to ``save_progress`` also carries the settings now in
force (``CONTROL_KEYS``): ``max_downtime_ms``, ``bandwidth_mib_per_s``
(0: no cap) and ``post_copy_permitted``.
"""
import collections
import queue
import time

from oslo_log import log as logging

from migrator.virt import driver
from migrator.virt import migration_policy
from migrator.virt import progress as progress_mod
from migrator.virt import stall

LOG = logging.getLogger(__name__)

COMPLETED = 'completed'
FAILED = 'failed'
CANCELLED = 'cancelled'

STATUS_POSTCOPY = 'running (post-copy)'

FORCE_COMPLETE = 'force-complete'
ABORT = 'abort'
SET_MAX_DOWNTIME = 'set-max-downtime'
SET_MAX_SPEED = 'set-max-speed'
SWITCH_TO_POST_COPY = 'switch-to-post-copy'

# The settings in force, added to each progress dict.
CONTROL_KEYS = ('max_downtime_ms', 'bandwidth_mib_per_s',
                'post_copy_permitted')

Outcome = collections.namedtuple('Outcome', ['status', 'reason'])

_ACTIVE_TYPES = (driver.JOB_BOUNDED, driver.JOB_UNBOUNDED)
_MIB = 1024 * 1024


def _mib(value):
    return None if value is None else int(value) // _MIB


class LiveMigrationMonitor(object):

    def __init__(self, job, lm_conf, data_gb, commands, save_progress,
                 set_status, instance_uuid=None, clock=time.monotonic,
                 sleep=time.sleep, check_peer=None, peer_check_interval=2.0,
                 start_status=None, save_final=None):
        """Watch ``job``; nothing runs until ``run()``.

        :param job: the driver's MigrationJob.
        :param lm_conf: the ``[live_migration]`` group
            (``CONF.live_migration``).
        :param data_gb: Nova's data size (migration_policy.data_gb).
        :param commands: queue.Queue of operator commands (module doc).
        :param save_progress: ``save_progress(progress_dict)`` callback.
        :param set_status: ``set_status(status)`` callback, e.g. for
            ``'running (post-copy)'``.
        :param clock, sleep: injectable for tests.
        :param check_peer: ``check_peer()`` returns None while the other
            end is fine, else why the migration must fail (the
            destination's service is down); called at most every
            ``peer_check_interval`` seconds while the transfer runs (not
            in post-copy, which cannot be aborted). A failing peer aborts
            the job and the outcome is ``failed`` with that reason.
        :param start_status: a status the migration enters as the transfer
            starts (``'running'``), written with the first save, in one
            write: ``save_progress(progress, status=start_status)``. When
            the first sample has nothing to save (the job has not started
            yet), it is written alone right after it
            (``set_status(start_status)``), so a reader sees the start at
            once either way.
        :param save_final: ``save_final(progress, status)`` takes the
            final figures instead of ``save_progress`` (status: the
            outcome's), so that the caller can write them with the
            status change that follows, in one write.
        """
        self.job = job
        self.conf = lm_conf
        self.data_gb = data_gb
        self.commands = commands
        self._save_progress = save_progress
        self._set_status = set_status
        self.uuid = instance_uuid
        self._clock = clock
        self._sleep = sleep
        self._check_peer = check_peer
        self._peer_check_interval = peer_check_interval
        self._next_peer_check = None
        self.peer_failure = None

        self.permit_post_copy = migration_policy.permits_post_copy(lm_conf)
        self.estimator = progress_mod.ProgressEstimator()
        self.stall = stall.StallDetector(lm_conf.stall_timeout,
                                         lm_conf.stall_iterations)
        self._downtime_steps = list(
            migration_policy.downtime_steps(lm_conf, data_gb))
        self.completion_timeout = migration_policy.completion_timeout(
            lm_conf, data_gb)

        self.in_postcopy = False
        self.paused_by_monitor = False
        self.downtime_ms = None
        self._downtime_pinned = False
        self._pending_force_complete = False
        self._pending_post_copy = False
        self.bandwidth_mib = int(getattr(lm_conf, 'bandwidth', 0) or 0)
        self._timeout_fired = False
        self._stall_aborted = False
        self._start = None
        self._save_due = None
        self._last_saved = None
        self._last_log = None
        self._last_stats = None
        self._start_status = start_status
        self._save_final = save_final
        self.saves = 0

    # -- the loop -----------------------------------------------------------
    def run(self):
        """Watch the migration until it ends; return an Outcome
        ``(status, reason)``, status one of completed/failed/cancelled.
        """
        self._start = self._clock()
        next_sample = tick = self._start
        LOG.info('Monitoring live migration of %(uuid)s: %(gb).1f GiB to '
                 'transfer, completion timeout %(timeout)s s, stall timeout '
                 '%(stall)s s, post-copy %(pc)s',
                 {'uuid': self.uuid, 'gb': self.data_gb,
                  'timeout': self.completion_timeout or 'off',
                  'stall': self.conf.stall_timeout or 'off',
                  'pc': 'permitted' if self.permit_post_copy else 'off'})
        while True:
            now = self._clock()
            outcome = self._sample(now, tick)
            if outcome is not None:
                return self._finish(now, outcome)
            self._write_start_status()
            if tick >= next_sample:
                next_sample += self.conf.monitor_poll_interval
            # Wake for the next sample, or for the next save if it is due
            # first (a save interval that is no multiple of the poll
            # interval), so that saves keep their own cadence.
            if (self._save_due is not None and
                    tick < self._save_due < next_sample):
                tick = self._save_due
            else:
                tick = next_sample
            delay = tick - self._clock()
            if delay < 0:
                # Fell behind (slow driver or save): don't try to catch up.
                next_sample = tick = self._clock()
                delay = 0
            self._sleep(delay)

    def _sample(self, now, tick):
        try:
            stats = self.job.get_job_stats() or {}
        except Exception:
            LOG.exception('Reading job stats of the migration of %s failed',
                          self.uuid)
            stats = {}
        job_type = stats.get('type', driver.JOB_NONE)
        if job_type in _ACTIVE_TYPES:
            self._last_stats = stats
            self._while_running(now, tick, stats)
            return None
        if job_type == driver.JOB_COMPLETED:
            self._keep_final(stats)
            return Outcome(COMPLETED, None)
        if job_type == driver.JOB_FAILED:
            self._keep_final(stats)
            return Outcome(FAILED, self._failure_reason(stats))
        if job_type == driver.JOB_CANCELLED:
            self._keep_final(stats)
            if self.peer_failure:
                return Outcome(FAILED, self.peer_failure)
            return Outcome(CANCELLED, self._failure_reason(stats) or
                           'migration cancelled')
        # JOB_NONE: not started yet, or over and gone.
        if not self.job.is_finished():
            self._run_commands(now, active=False)
            return None
        if self.job.guest_active_on_source():
            return Outcome(FAILED, self.peer_failure or
                           self._failure_reason(stats) or
                           'the guest is still active on the source')
        return Outcome(COMPLETED, None)

    def _while_running(self, now, tick, stats):
        elapsed = now - self._start
        self._run_commands(now, active=True)
        self._watch_peer(now)
        self._check_completion_timeout(elapsed)
        self._check_stall(now, stats)
        self._update_downtime(elapsed)
        progress = self._with_controls(self.estimator.feed(now, stats))
        self._maybe_save(tick, progress)
        self._maybe_log(now, elapsed, progress)

    def _watch_peer(self, now):
        if self._check_peer is None or self.in_postcopy or \
                self.peer_failure:
            return
        if self._next_peer_check is not None and now < self._next_peer_check:
            return
        self._next_peer_check = now + self._peer_check_interval
        try:
            reason = self._check_peer()
        except Exception:
            LOG.warning('Could not check the other end of the migration of '
                        '%s', self.uuid, exc_info=True)
            return
        if reason:
            self.peer_failure = reason
            self.abort(reason)

    # -- commands and actions ---------------------------------------------
    def _run_commands(self, now, active):
        while True:
            try:
                command = self.commands.get_nowait()
            except queue.Empty:
                break
            self._run_command(command)
        if active and self._pending_force_complete:
            self._pending_force_complete = False
            self.force_complete('requested by an operator')
        if active and self._pending_post_copy:
            self._pending_post_copy = False
            self.switch_to_post_copy('requested by an operator')

    def _run_command(self, command):
        name, arg = (command if isinstance(command, (tuple, list))
                     else (command, None))
        if name == FORCE_COMPLETE:
            # Until the transfer runs there is nothing to force: keep it.
            self._pending_force_complete = True
        elif name == ABORT:
            self.abort('requested by an operator')
        elif name == SET_MAX_DOWNTIME:
            LOG.info('Max downtime of the migration of %s set to %s ms by '
                     'an operator; downtime steps stop', self.uuid, arg)
            self._downtime_pinned = True
            self._set_downtime(int(arg))
        elif name == SET_MAX_SPEED:
            LOG.info('Bandwidth of the migration of %s capped at %s MiB/s '
                     'by an operator', self.uuid, arg)
            try:
                self.job.set_max_speed(int(arg))
                self.bandwidth_mib = int(arg)
            except Exception as e:
                LOG.warning('Could not set the bandwidth of the migration '
                            'of %s: %s', self.uuid, e)
        elif name == SWITCH_TO_POST_COPY:
            # Like force-complete, kept until the transfer runs.
            self._pending_post_copy = True
        else:
            LOG.warning('Ignoring unknown live-migration command %r for %s',
                        command, self.uuid)

    def abort(self, why):
        LOG.info('Aborting the live migration of %s: %s', self.uuid, why)
        try:
            self.job.abort()
        except Exception as e:
            LOG.warning('Could not abort the live migration of %s: %s',
                        self.uuid, e)

    def force_complete(self, why):
        """Post-copy if permitted, else pause the guest.
        """
        if self.in_postcopy or self.paused_by_monitor:
            LOG.info('Live migration of %s is already forced to complete',
                     self.uuid)
            return
        if self.permit_post_copy:
            self._start_postcopy(why)
        else:
            LOG.info('Pausing guest %s so its live migration completes: %s',
                     self.uuid, why)
            try:
                self.job.pause_guest()
            except Exception as e:
                LOG.warning('Could not pause guest %s: %s', self.uuid, e)
                return
            self.paused_by_monitor = True

    def switch_to_post_copy(self, why):
        """Post-copy now if permitted; otherwise nothing changes."""
        if self.in_postcopy:
            return
        if not self.permit_post_copy:
            LOG.warning('Not switching the live migration of %s to '
                        'post-copy: not permitted', self.uuid)
            return
        self._start_postcopy(why)

    def _start_postcopy(self, why):
        LOG.info('Switching the live migration of %s to post-copy: %s',
                 self.uuid, why)
        try:
            self.job.start_postcopy()
        except Exception as e:
            LOG.warning('Could not switch the migration of %s to '
                        'post-copy: %s', self.uuid, e)
            return
        self.in_postcopy = True
        # The phases in their order: running, then post-copy.
        self._write_start_status()
        self.estimator.enter_postcopy()
        self._call(self._set_status, STATUS_POSTCOPY)

    def _take_action(self, action, why):
        if action == 'force_complete':
            self.force_complete(why)
        else:
            self.abort(why)

    def _check_completion_timeout(self, elapsed):
        if (self._timeout_fired or not self.completion_timeout or
                self.in_postcopy or elapsed <= self.completion_timeout):
            return
        self._timeout_fired = True
        self._take_action(
            self.conf.timeout_action,
            'not completed within %d s (completion_timeout %d s/GiB x '
            '%.1f GiB)' % (self.completion_timeout,
                           self.conf.completion_timeout, self.data_gb))

    def _check_stall(self, now, stats):
        if self._stall_aborted or self.in_postcopy:
            return
        reason = self.stall.feed(now, stats)
        if reason is None:
            return
        action = self.conf.stall_action
        if self.paused_by_monitor:
            # Forcing did not help: nothing left but to give up.
            action = 'abort'
        self._stall_aborted = action == 'abort'
        # Give a forced migration a fresh window before judging it again.
        self.stall = stall.StallDetector(self.conf.stall_timeout,
                                         self.conf.stall_iterations)
        self._take_action(action, 'stalled: %s' % reason)

    def _update_downtime(self, elapsed):
        if self._downtime_pinned:
            return
        step = None
        for delay, downtime in self._downtime_steps:
            if elapsed >= delay:
                step = downtime
        if step is not None and step != self.downtime_ms:
            LOG.info('Max downtime of the live migration of %s: %d ms '
                     '(%d s elapsed)', self.uuid, step, elapsed)
            self._set_downtime(step)

    def _set_downtime(self, milliseconds):
        try:
            self.job.set_max_downtime(milliseconds)
            self.downtime_ms = milliseconds
        except Exception as e:
            LOG.warning('Could not set the max downtime of the migration of '
                        '%s: %s', self.uuid, e)

    # -- progress ---------------------------------------------------------
    def _with_controls(self, progress):
        progress['max_downtime_ms'] = self.downtime_ms
        progress['bandwidth_mib_per_s'] = self.bandwidth_mib
        progress['post_copy_permitted'] = self.permit_post_copy
        return progress

    def _maybe_save(self, tick, progress):
        """Save on the first sample scheduled at or after the save's due
        time. The schedule, not the measured time of a sample, decides:
        a sample that woke a little late still counts for its tick, so a
        busy host saves every ``progress_save_interval``, not every
        interval plus one poll interval."""
        if self._save_due is not None and tick < self._save_due - 1e-6:
            return      # coalesced into the next save
        if progress == self._last_saved:
            return
        interval = self.conf.progress_save_interval
        if self._save_due is None or tick > self._save_due + 1e-6:
            # The first save, or a late one (fell behind, or nothing moved
            # at the due time): the cadence starts again from here.
            self._save_due = tick + interval
        else:
            self._save_due += interval          # on time: keep the cadence
        self._save(progress)

    def _save(self, progress):
        self._last_saved = progress
        self.saves += 1
        if self._start_status is not None:
            # The first save carries the status the transfer started
            # with: one write, not a status write and a progress write.
            status, self._start_status = self._start_status, None
            self._call(self._save_progress, progress, status=status)
        else:
            self._call(self._save_progress, progress)

    def _write_start_status(self):
        """The start status alone, if no save has carried it yet."""
        if self._start_status is not None:
            status, self._start_status = self._start_status, None
            self._call(self._set_status, status)

    def _maybe_log(self, now, elapsed, progress):
        if (self._last_log is not None and
                now - self._last_log < self.conf.progress_log_interval):
            return
        self._last_log = now
        LOG.info('Live migration of %(uuid)s after %(secs)d s: %(pct)s%%, '
                 'memory %(mrem)s of %(mtot)s MiB left, disk %(drem)s of '
                 '%(dtot)s MiB left, %(rate)s MiB/s, dirtying %(dirty)s '
                 'MiB/s, iteration %(it)s, expected downtime %(down)s ms, '
                 'ETA %(eta)s s',
                 {'uuid': self.uuid, 'secs': elapsed,
                  'pct': progress['percent'],
                  'mrem': _mib(progress['memory_remaining']),
                  'mtot': _mib(progress['memory_total']),
                  'drem': _mib(progress['disk_remaining']),
                  'dtot': _mib(progress['disk_total']),
                  'rate': _mib(progress['transfer_rate']),
                  'dirty': _mib(progress['dirty_rate']),
                  'it': progress['iteration'],
                  'down': progress['expected_downtime_ms'],
                  'eta': progress['eta_seconds']})

    # -- the end ------------------------------------------------------------
    def _keep_final(self, stats):
        if stats.get('memory_total') is not None:
            self._last_stats = stats

    def _failure_reason(self, stats):
        error = None
        try:
            error = self.job.error()
        except Exception:
            LOG.debug('Reading the migration error failed', exc_info=True)
        if error is not None:
            return str(error)
        return stats.get('errmsg')

    def _finish(self, now, outcome):
        if outcome.status != COMPLETED and self.paused_by_monitor:
            # The guest stays here: undo the pause force-complete did.
            LOG.info('Resuming guest %s paused for a migration that ended '
                     '%s', self.uuid, outcome.status)
            try:
                self.job.resume_guest()
                self.paused_by_monitor = False
            except Exception:
                LOG.exception('Could not resume guest %s', self.uuid)
        final_stats = self._last_stats
        if outcome.status != COMPLETED:
            final_stats = None   # keep the last running figures
        progress = self._with_controls(self.estimator.finish(
            outcome.status == COMPLETED, final_stats, now))
        if self._save_final is not None:
            self._write_start_status()
            self._last_saved = progress
            self.saves += 1
            self._call(self._save_final, progress, outcome.status)
        else:
            self._save(progress)
        log = LOG.info if outcome.status == COMPLETED else LOG.warning
        log('Live migration of %(uuid)s %(status)s after %(secs).1f s%(why)s',
            {'uuid': self.uuid, 'status': outcome.status,
             'secs': now - self._start,
             'why': ': %s' % outcome.reason if outcome.reason else ''})
        return outcome

    def _call(self, callback, *args, **kwargs):
        # A failing callback (a DB hiccup) must not orphan the migration.
        try:
            callback(*args, **kwargs)
        except Exception:
            LOG.exception('Live-migration monitor callback %s failed for %s',
                          getattr(callback, '__name__', callback), self.uuid)
