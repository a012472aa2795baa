"""The live-migration monitor, on a fake clock, against the simulation."""
import queue
import random

import testtools

from migrator.tests.unit.virt import fakes
from migrator.virt import driver
from migrator.virt import migration_monitor
from migrator.virt import progress as progress_mod

MIB = fakes.MIB
GIB = fakes.GIB

COMPLETED = migration_monitor.COMPLETED
FAILED = migration_monitor.FAILED
CANCELLED = migration_monitor.CANCELLED

NO_STALL = {'stall_timeout': 0}


def dirty_guest(dirty_mib, working_set_mib=None, **kwargs):
    metadata = {'sim_dirty_rate_mib': str(dirty_mib)}
    if working_set_mib:
        metadata['sim_working_set_mib'] = str(working_set_mib)
    metadata.update(kwargs.pop('metadata', {}))
    return fakes.make_guest(metadata=metadata, **kwargs)


class SpyJob(object):
    """Records what the monitor asks of a real fake job."""

    def __init__(self, job):
        self._job = job
        self.downtimes = []
        self.calls = []

    def __getattr__(self, name):
        return getattr(self._job, name)

    def set_max_downtime(self, ms):
        self.downtimes.append(ms)
        self._job.set_max_downtime(ms)

    def set_max_speed(self, mib):
        self.calls.append(('set_max_speed', mib))
        self._job.set_max_speed(mib)

    def start_postcopy(self):
        self.calls.append('start_postcopy')
        self._job.start_postcopy()

    def pause_guest(self):
        self.calls.append('pause_guest')
        self._job.pause_guest()

    def resume_guest(self):
        self.calls.append('resume_guest')
        self._job.resume_guest()

    def abort(self):
        self.calls.append('abort')
        self._job.abort()


def spy(mig):
    mig.monitor.job = SpyJob(mig.job)
    return mig.monitor.job


class TestOutcomes(testtools.TestCase):

    def test_converging_migration_completes(self):
        mig = fakes.SimulatedMigration()
        self.assertEqual((COMPLETED, None), mig.run())
        final = mig.progresses[-1]
        self.assertEqual(100, final['percent'])
        self.assertEqual(0, final['memory_remaining'])
        self.assertEqual(2 * GIB, final['memory_total'])
        self.assertEqual(0, final['disk_total'])   # not block migrating
        self.assertFalse(mig.job.guest_active_on_source())
        self.assertEqual([], mig.recorder.statuses)

    def test_operator_abort_cancels(self):
        mig = fakes.SimulatedMigration()
        mig.commands.put('abort')
        status, reason = mig.run()
        self.assertEqual(CANCELLED, status)
        self.assertIn(mig.guest['uuid'], mig.source.list_instance_uuids())
        self.assertLess(mig.progresses[-1]['percent'], 100)

    def test_transfer_failure_fails(self):
        mig = fakes.SimulatedMigration(
            guest=fakes.make_guest(metadata={'sim_fail_at_percent': '30'}))
        status, reason = mig.run()
        self.assertEqual(FAILED, status)
        self.assertIn('simulated transfer failure', reason)
        self.assertTrue(mig.job.guest_active_on_source())

    def test_dead_destination_fails_the_migration(self):
        mig = fakes.SimulatedMigration(NO_STALL, guest=dirty_guest(200))
        job = spy(mig)
        checks = []

        def check_peer():
            checks.append(mig.clock.now)
            if len(checks) >= 3:
                return 'the compute service of destination dst is down'

        mig.monitor._check_peer = check_peer
        mig.monitor._peer_check_interval = 2.0
        status, reason = mig.run()
        self.assertEqual(
            (FAILED, 'the compute service of destination dst is down'),
            (status, reason))
        self.assertEqual(['abort'], job.calls)
        self.assertIn(mig.guest['uuid'], mig.source.list_instance_uuids())
        # Checked every 2 s, not at every sample.
        self.assertGreaterEqual(checks[1] - checks[0], 2.0)

    def test_force_complete_pauses_without_postcopy(self):
        mig = fakes.SimulatedMigration(NO_STALL, guest=dirty_guest(200))
        job = spy(mig)
        mig.commands.put('force-complete')
        self.assertEqual((COMPLETED, None), mig.run())
        self.assertEqual(['pause_guest'], job.calls)

    def test_force_complete_switches_to_postcopy_when_permitted(self):
        mig = fakes.SimulatedMigration(
            dict(NO_STALL, permit_post_copy=True), guest=dirty_guest(200))
        job = spy(mig)
        mig.commands.put('force-complete')
        self.assertEqual((COMPLETED, None), mig.run())
        self.assertEqual(['start_postcopy'], job.calls)
        self.assertEqual(['running (post-copy)'], mig.recorder.statuses)

    def test_paused_guest_is_resumed_when_the_migration_fails(self):
        mig = fakes.SimulatedMigration(NO_STALL, guest=dirty_guest(
            200, metadata={'sim_fail_at_percent': '90'}))
        job = spy(mig)
        mig.commands.put('force-complete')
        status, _ = mig.run()
        self.assertEqual(FAILED, status)
        self.assertEqual(['pause_guest', 'resume_guest'], job.calls)
        self.assertEqual(driver.RUNNING,
                         mig.source.get_power_state(mig.guest))

    def test_job_gone_with_guest_still_here_is_a_failure(self):
        clock = fakes.FakeClock()
        job = fakes.ScriptedJob(clock, lambda t: {'type': driver.JOB_NONE})
        job.is_finished = lambda: t_over(clock, job)
        recorder = fakes.Recorder(clock)
        monitor = migration_monitor.LiveMigrationMonitor(
            job, fakes.make_conf().live_migration, 2, queue.Queue(),
            recorder.save_progress, recorder.set_status, clock=clock,
            sleep=fakes.SteppedSleep(clock))
        status, reason = monitor.run()
        self.assertEqual(FAILED, status)
        self.assertGreaterEqual(clock.now - job.start, 3)
        # A driver without figures: the fields stay null.
        self.assertIsNone(recorder.saves[-1][1]['memory_total'])


class TestStartStatus(testtools.TestCase):
    """The status the transfer starts with goes out with the first
    figures, in one write: a migration's first cadence window holds one
    write, not a status write and a progress write."""

    def test_first_save_carries_the_start_status(self):
        mig = fakes.SimulatedMigration(start_status='running')
        started = mig.clock.now
        self.assertEqual((COMPLETED, None), mig.run())
        writes = mig.recorder.writes
        self.assertEqual([], mig.recorder.statuses)
        # At the first sample, with its figures.
        self.assertEqual((started, 'running'), writes[0])
        # Every write after it is a progress save, no status again.
        self.assertEqual([None] * (len(writes) - 1),
                         [status for _, status in writes[1:]])
        self.assertEqual(len(mig.recorder.saves), len(writes))

    def test_final_figures_go_to_save_final(self):
        finals = []
        mig = fakes.SimulatedMigration(
            start_status='running',
            save_final=lambda p, status: finals.append((dict(p), status)))
        self.assertEqual((COMPLETED, None), mig.run())
        self.assertEqual(1, len(finals))
        final, status = finals[0]
        self.assertEqual((100, COMPLETED), (final['percent'], status))
        # Not written as one more save: the caller writes it with the
        # status that follows.
        self.assertLess(mig.progresses[-1]['percent'], 100)
        self.assertEqual(len(mig.recorder.saves) + 1, mig.monitor.saves)

    def test_post_copy_at_the_first_sample_keeps_the_phase_order(self):
        mig = fakes.SimulatedMigration(
            dict(NO_STALL, permit_post_copy=True), guest=dirty_guest(200),
            start_status='running')
        mig.commands.put('force-complete')
        self.assertEqual((COMPLETED, None), mig.run())
        self.assertEqual(['running', 'running (post-copy)'],
                         mig.recorder.statuses)
        self.assertEqual([None] * len(mig.recorder.saves),
                         [s for _, s in mig.recorder.writes[2:]])

    def test_start_status_alone_when_the_job_has_not_started(self):
        clock = fakes.FakeClock()
        job = fakes.ScriptedJob(clock, lambda t: {'type': driver.JOB_NONE})
        job.is_finished = lambda: t_over(clock, job)
        recorder = fakes.Recorder(clock)
        monitor = migration_monitor.LiveMigrationMonitor(
            job, fakes.make_conf().live_migration, 2, queue.Queue(),
            recorder.save_progress, recorder.set_status, clock=clock,
            sleep=fakes.SteppedSleep(clock), start_status='running')
        monitor.run()
        # Written at the first sample, before any figures.
        self.assertEqual((job.start, 'running'), recorder.writes[0])
        self.assertEqual(['running'], recorder.statuses)
        self.assertIsNone(recorder.writes[-1][1])


class LateSleep(fakes.SteppedSleep):
    """Oversleeps by a pseudo-random 0..max_late seconds, as a thread on
    a busy host does."""

    def __init__(self, clock, job, max_late):
        super(LateSleep, self).__init__(clock, job)
        self._random = random.Random(14)
        self.max_late = max_late

    def __call__(self, seconds):
        super(LateSleep, self).__call__(
            seconds + self._random.uniform(0, self.max_late))


def t_over(clock, job):
    return clock.now - job.start >= 3


class TestProgressCadence(testtools.TestCase):

    def test_saves_coalesced_at_most_one_per_interval(self):
        mig = fakes.SimulatedMigration(
            {'monitor_poll_interval': 0.25, 'progress_save_interval': 2.0})
        mig.run()
        times = [t for t, _ in mig.recorder.saves]
        running = times[:-1]     # the last one is the final save
        gaps = [b - a for a, b in zip(running, running[1:])]
        self.assertGreater(len(running), 5)
        self.assertTrue(all(g >= 2.0 - 1e-6 for g in gaps), gaps)
        # Progress changes all along: at least one save per interval.
        self.assertTrue(all(g <= 2.0 + 0.25 + 1e-6 for g in gaps), gaps)
        # Far fewer saves than samples.
        samples = (times[-1] - times[0]) / 0.25
        self.assertLess(len(times), samples / 4)

    def _running_save_gaps(self, mig):
        times = [t for t, _ in mig.recorder.saves][:-1]   # not the final
        return times, [b - a for a, b in zip(times, times[1:])]

    def test_late_wake_ups_keep_the_save_cadence(self):
        # A busy host wakes the monitor late by up to 0.2 s, by a
        # different amount each time. A reader of the API must still see
        # the figures change every progress_save_interval (1 s), not
        # every 1.5 s (the next 0.5 s sample after a full second).
        mig = fakes.SimulatedMigration(
            {'monitor_poll_interval': 0.5, 'progress_save_interval': 1.0,
             'stall_timeout': 0},
            guest=fakes.make_guest(memory_mb=8192))
        mig.monitor._sleep = LateSleep(mig.clock, mig.job, max_late=0.2)
        mig.run()
        times, gaps = self._running_save_gaps(mig)
        self.assertGreater(len(times), 10)
        # One save per second of migration, give or take the first one...
        self.assertGreaterEqual(len(times), int(times[-1] - times[0]))
        # ...and never a figure older than a second plus the lateness.
        self.assertTrue(all(g <= 1.0 + 0.2 + 1e-6 for g in gaps), gaps)

    def test_save_interval_not_a_multiple_of_the_poll_interval(self):
        # Samples at 0.5 s, saves promised every 1.2 s: the monitor wakes
        # for the save instead of saving on the next sample (1.5 s).
        mig = fakes.SimulatedMigration(
            {'monitor_poll_interval': 0.5, 'progress_save_interval': 1.2,
             'stall_timeout': 0},
            guest=fakes.make_guest(memory_mb=8192))
        mig.run()
        times, gaps = self._running_save_gaps(mig)
        self.assertGreater(len(times), 5)
        for gap in gaps:
            self.assertAlmostEqual(1.2, gap, places=6)

    def test_progress_fields_and_monotonic_percent(self):
        mig = fakes.SimulatedMigration(
            guest=dirty_guest(60, working_set_mib=2048, root_gb=4),
            block_migration=True)
        self.assertEqual(COMPLETED, mig.run()[0])
        progresses = mig.progresses
        for p in progresses:
            self.assertEqual(set(progress_mod.PROGRESS_KEYS) |
                             set(migration_monitor.CONTROL_KEYS), set(p))
        percents = [p['percent'] for p in progresses]
        self.assertEqual(sorted(percents), percents)
        self.assertTrue(all(p <= 99 for p in percents[:-1]))
        self.assertEqual(100, percents[-1])
        self.assertEqual(4 * GIB, progresses[0]['disk_total'])
        self.assertIsNone(progresses[0]['eta_seconds'])
        self.assertIsNotNone(progresses[len(progresses) // 2]['eta_seconds'])
        self.assertGreater(max(p['iteration'] for p in progresses), 2)
        self.assertEqual(60 * MIB, progresses[-2]['dirty_rate'])

    def test_failing_save_does_not_stop_the_monitor(self):
        mig = fakes.SimulatedMigration()

        def broken(progress):
            raise RuntimeError('database is down')
        mig.monitor._save_progress = broken
        self.assertEqual(COMPLETED, mig.run()[0])


class TestDowntimeAndTimeout(testtools.TestCase):

    def test_downtime_steps_then_completion_timeout_aborts(self):
        mig = fakes.SimulatedMigration(NO_STALL, guest=dirty_guest(200))
        job = spy(mig)
        status, reason = mig.run()
        self.assertEqual(CANCELLED, status)
        # Nova's steps for 2 GiB: 50 ms, then +45 ms every 150 s to 500.
        self.assertEqual([50, 95, 140, 185, 230, 275, 320, 365, 410, 455,
                          500], job.downtimes)
        self.assertEqual(['abort'], job.calls)
        # 800 s/GiB x 2 GiB.
        self.assertGreaterEqual(mig.clock.now - mig.monitor._start, 1600)
        self.assertLess(mig.clock.now - mig.monitor._start, 1602)
        self.assertIn(mig.guest['uuid'], mig.source.list_instance_uuids())

    def test_completion_timeout_force_complete(self):
        mig = fakes.SimulatedMigration(
            dict(NO_STALL, completion_timeout=10,
                 timeout_action='force_complete'),
            guest=dirty_guest(200))
        job = spy(mig)
        self.assertEqual((COMPLETED, None), mig.run())
        self.assertEqual(['pause_guest'], job.calls)
        self.assertGreaterEqual(mig.clock.now - mig.monitor._start, 20)

    def test_no_timeout_in_postcopy(self):
        mig = fakes.SimulatedMigration(
            dict(NO_STALL, completion_timeout=1, permit_post_copy=True),
            guest=dirty_guest(200))
        job = spy(mig)
        mig.commands.put('force-complete')
        self.assertEqual((COMPLETED, None), mig.run())
        self.assertEqual(['start_postcopy'], job.calls)

    def test_operator_downtime_stops_the_steps(self):
        mig = fakes.SimulatedMigration(
            dict(NO_STALL, completion_timeout=0), guest=dirty_guest(200))
        job = spy(mig)
        mig.commands.put(('set-max-downtime', 3000))
        self.assertEqual((COMPLETED, None), mig.run())
        self.assertEqual([3000], job.downtimes)


class TestRuntimeControls(testtools.TestCase):
    """The 2.107 controls as the monitor applies them."""

    def test_switch_to_post_copy_when_permitted(self):
        mig = fakes.SimulatedMigration(
            dict(NO_STALL, permit_post_copy=True), guest=dirty_guest(200))
        job = spy(mig)
        mig.commands.put(migration_monitor.SWITCH_TO_POST_COPY)
        self.assertEqual((COMPLETED, None), mig.run())
        self.assertEqual(['start_postcopy'], job.calls)
        self.assertEqual(['running (post-copy)'], mig.recorder.statuses)
        self.assertTrue(all(p['post_copy_permitted']
                            for p in mig.progresses))

    def test_switch_to_post_copy_not_permitted_never_pauses(self):
        mig = fakes.SimulatedMigration(NO_STALL)
        job = spy(mig)
        mig.commands.put(migration_monitor.SWITCH_TO_POST_COPY)
        self.assertEqual((COMPLETED, None), mig.run())
        self.assertEqual([], job.calls)
        self.assertEqual([], mig.recorder.statuses)
        self.assertFalse(mig.progresses[-1]['post_copy_permitted'])

    def test_set_max_speed_caps_and_shows_in_progress(self):
        mig = fakes.SimulatedMigration(NO_STALL)
        job = spy(mig)
        mig.commands.put((migration_monitor.SET_MAX_SPEED, 64))
        self.assertEqual((COMPLETED, None), mig.run())
        self.assertEqual([('set_max_speed', 64)], job.calls)
        self.assertEqual(64, mig.progresses[-1]['bandwidth_mib_per_s'])
        self.assertEqual(64 * MIB, mig.job._sim.bandwidth_bps)

    def test_operator_downtime_shows_in_progress(self):
        mig = fakes.SimulatedMigration(
            dict(NO_STALL, completion_timeout=0), guest=dirty_guest(200))
        mig.commands.put((migration_monitor.SET_MAX_DOWNTIME, 3000))
        self.assertEqual((COMPLETED, None), mig.run())
        self.assertEqual(3000, mig.progresses[-1]['max_downtime_ms'])
        for key in migration_monitor.CONTROL_KEYS:
            self.assertIn(key, mig.progresses[0])


class TestStallDetection(testtools.TestCase):

    def test_stuck_migration_is_aborted(self):
        mig = fakes.SimulatedMigration(
            {'stall_timeout': 60, 'stall_iterations': 3},
            guest=dirty_guest(200))
        job = spy(mig)
        status, _ = mig.run()
        self.assertEqual(CANCELLED, status)
        self.assertEqual(['abort'], job.calls)
        elapsed = mig.clock.now - mig.monitor._start
        # Well before the 1600 s completion timeout.
        self.assertTrue(60 <= elapsed < 200, elapsed)

    def test_stall_force_complete_pauses_then_completes(self):
        mig = fakes.SimulatedMigration(
            {'stall_timeout': 60, 'stall_action': 'force_complete'},
            guest=dirty_guest(200))
        job = spy(mig)
        self.assertEqual((COMPLETED, None), mig.run())
        self.assertEqual(['pause_guest'], job.calls)

    def test_hung_transfer_is_aborted(self):
        clock = fakes.FakeClock()
        frozen = {'type': driver.JOB_UNBOUNDED, 'memory_total': 2 * GIB,
                  'memory_processed': GIB, 'memory_remaining': GIB,
                  'memory_iteration': 1, 'disk_total': 0,
                  'disk_processed': 0, 'disk_remaining': 0}
        job = fakes.ScriptedJob(clock, lambda t: dict(frozen))
        recorder = fakes.Recorder(clock)
        conf = fakes.make_conf({'stall_timeout': 30}).live_migration
        monitor = migration_monitor.LiveMigrationMonitor(
            job, conf, 2, queue.Queue(), recorder.save_progress,
            recorder.set_status, clock=clock,
            sleep=fakes.SteppedSleep(clock))
        self.assertEqual(CANCELLED, monitor.run()[0])
        self.assertIn(('abort',), job.calls)
        self.assertTrue(30 <= clock.now - job.start < 32)
        # Nothing moved: saved when first seen, when the rate (0) became
        # known, and at the end; not every interval.
        self.assertEqual(3, len(recorder.saves))

    def test_healthy_block_migration_is_not_a_stall(self):
        # 20 GiB of disk take 164 s at 125 MiB/s, longer than the stall
        # timeout, with memory figures frozen all along; then memory.
        mig = fakes.SimulatedMigration(
            {'stall_timeout': 60, 'stall_iterations': 1},
            guest=dirty_guest(40, working_set_mib=2048, root_gb=20),
            block_migration=True)
        job = spy(mig)
        self.assertEqual((COMPLETED, None), mig.run())
        self.assertEqual([], job.calls)
        self.assertGreater(mig.clock.now - mig.monitor._start, 164)

    def test_healthy_multi_iteration_copy_is_not_a_stall(self):
        # Dirtying 80 MiB/s of 125: passes shrink by a third each, many
        # iterations over longer than the stall timeout.
        mig = fakes.SimulatedMigration(
            {'stall_timeout': 20, 'stall_iterations': 1},
            guest=dirty_guest(80, working_set_mib=2048))
        job = spy(mig)
        self.assertEqual((COMPLETED, None), mig.run())
        self.assertEqual([], job.calls)
        progresses = mig.progresses
        self.assertGreater(max(p['iteration'] for p in progresses), 5)
        self.assertGreater(mig.clock.now - mig.monitor._start, 20)
