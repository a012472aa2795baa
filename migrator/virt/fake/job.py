"""A simulated migration running in the background: the fake MigrationJob.

The simulation itself has no notion of real time; this class moves it on,
either from its own thread (``start``: simulated seconds = real seconds x
``time_scale``) or by hand (``step``), which is how unit tests drive it
deterministically.
"""
import contextlib
import threading
import time

from oslo_log import log as logging

from migrator import exception
from migrator.virt import driver
from migrator.virt.fake import simulation

LOG = logging.getLogger(__name__)

# How often the background thread moves the simulation on (real
# seconds): only to end a migration on time, since every read (stats,
# state) and every knob first moves it on to the moment it is made. It
# used to wake every simulated tick (200 times a second at time_scale
# 10): 8.6 ms of CPU per migration-second against 1.1 ms now, a quarter
# of a core for 30 migrations in migrator-all, taken from its API.
WAKE_INTERVAL = 0.1


class FakeMigrationJob(driver.MigrationJob):

    def __init__(self, sim, guest_uuid, time_scale=1.0, on_finish=None,
                 on_pause=None, clock=time.monotonic):
        """``on_finish(job)`` runs once, when the transfer ends however it
        ends; ``on_pause(paused)`` mirrors the guest's power state.
        """
        self._sim = sim
        self.guest_uuid = guest_uuid
        self._time_scale = float(time_scale)
        self._on_finish = on_finish
        self._on_pause = on_pause
        self._clock = clock
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread = None
        self._finished = False
        self._error = None
        # Real time the simulation was last moved to (None: driven by
        # hand with ``step``).
        self._last = None

    # -- driving time -----------------------------------------------------
    def start(self):
        """Run the transfer against the real clock, in the background."""
        self._last = self._clock()
        self._thread = threading.Thread(
            target=self._run, name='fake-migration-%s' % self.guest_uuid,
            daemon=True)
        self._thread.start()

    def step(self, simulated_seconds):
        """Advance by hand (tests): no thread, no sleeping."""
        with self._lock:
            self._sim.advance(simulated_seconds)
            ended = self._check_finished()
        self._announce(ended)

    def stop(self, timeout=5.0):
        """Stop the background thread (the host is shutting down)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self):
        while not self._stop.wait(WAKE_INTERVAL):
            self._catch_up()
            if self._finished:
                return

    def _catch_up(self):
        """Move the simulation on to now (when it runs in real time)."""
        with self._lock:
            ended = self._advance_to_now()
        self._announce(ended)

    def _advance_to_now(self):
        # Under self._lock; whether the transfer ended just now.
        if self._last is None or self._finished:
            return False
        now = self._clock()
        self._sim.advance((now - self._last) * self._time_scale)
        self._last = now
        return self._check_finished()

    def _check_finished(self):
        # Under self._lock: mark the end once; the caller announces it
        # after letting go of the lock (``on_finish`` takes the driver's).
        if self._finished or not self._sim.finished:
            return False
        sim = self._sim
        if sim.job_type == driver.JOB_FAILED:
            self._error = exception.MigrationError(reason=sim.error_message)
        elif sim.job_type == driver.JOB_CANCELLED:
            self._error = exception.LiveMigrationAborted(
                instance_uuid=self.guest_uuid, reason=sim.error_message)
        self._finished = True
        return True

    def _announce(self, ended):
        if not ended:
            return
        sim = self._sim
        LOG.info('Simulated migration of %(uuid)s ended: %(result)s after '
                 '%(secs).1f simulated s, %(iters)d iteration(s), downtime '
                 '%(down)s ms',
                 {'uuid': self.guest_uuid, 'secs': sim.elapsed,
                  'result': {driver.JOB_COMPLETED: 'completed',
                             driver.JOB_FAILED: 'failed',
                             driver.JOB_CANCELLED: 'cancelled'}[sim.job_type],
                  'iters': sim.iteration,
                  'down': (None if sim.downtime_ms is None
                           else int(sim.downtime_ms))})
        if self._on_finish is not None:
            try:
                self._on_finish(self)
            except Exception:
                LOG.exception('Finishing simulated migration of %s failed',
                              self.guest_uuid)

    # -- MigrationJob -------------------------------------------------------
    @property
    def simulation(self):
        return self._sim

    @contextlib.contextmanager
    def _at_now(self):
        """Hold the lock with the simulation moved on to now, as libvirt's
        job is when it is read or steered; an end this finds is announced
        after the lock is let go. Yields a one-item list: set its item if
        the caller ends the transfer itself."""
        ended = [False]
        try:
            with self._lock:
                ended[0] = self._advance_to_now()
                yield ended
        finally:
            self._announce(ended[0])

    def get_job_stats(self):
        with self._at_now():
            stats = self._sim.job_stats()
            # Rates per real second, so that they agree with the clock
            # of whoever samples them (the monitor measures transfer rate
            # itself). Downtime stays in simulated ms: the guest's pause.
            for key in ('memory_bps', 'memory_dirty_rate'):
                stats[key] = int(stats[key] * self._time_scale)
            if not self._finished:
                # The final type shows only once the operation returned.
                stats['type'] = driver.JOB_UNBOUNDED
            return stats

    def is_finished(self):
        with self._lock:
            return self._finished

    def error(self):
        with self._lock:
            return self._error

    def set_max_downtime(self, milliseconds):
        with self._at_now():
            self._sim.set_max_downtime(milliseconds)

    def set_max_speed(self, mib_per_second):
        with self._at_now():
            self._sim.set_max_speed(mib_per_second)

    def start_postcopy(self):
        with self._at_now():
            try:
                self._sim.start_postcopy()
            except simulation.SimulationError as e:
                raise exception.MigrationError(reason=str(e))

    def pause_guest(self):
        with self._at_now():
            self._sim.pause()
        if self._on_pause is not None:
            self._on_pause(True)

    def resume_guest(self):
        with self._at_now():
            self._sim.resume()
        if self._on_pause is not None:
            self._on_pause(False)

    def abort(self):
        with self._at_now() as ended:
            try:
                self._sim.abort()
            except simulation.SimulationError as e:
                raise exception.MigrationError(reason=str(e))
            ended[0] = self._check_finished() or ended[0]

    def guest_active_on_source(self):
        with self._lock:
            return not self._sim.guest_on_destination
