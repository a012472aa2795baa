"""A pre-copy live migration, simulated in simulated time.

This is a model, not a timer: it moves bytes over a link of a given
bandwidth, lets the guest dirty memory while it does, re-sends what was
dirtied in iterations and switches over only when what is left fits in the
allowed downtime, the way QEMU does. Whether a migration converges is
therefore decided by the numbers (memory size, dirty rate, working set,
bandwidth, downtime), never scripted.

The model, step by step:

* Block migration copies the disks first (``disk_*``), then memory.
* Memory pass 1 sends all of the guest's memory. Meanwhile the guest
  dirties memory at its dirty rate; what it dirties is bounded by its
  working set (the pages it writes to; rewriting a dirty page adds nothing).
* At the end of each pass the dirty bytes become the next pass, as QEMU's
  dirty-bitmap sync does; ``memory_remaining`` therefore falls during a pass
  and jumps back up at the next one, like libvirt's.
* Switch-over happens as soon as the bytes still to send (current pass plus
  what has been dirtied since it began) can go within the max downtime.
* Auto-converge throttles the guest's dirty rate (QEMU's schedule: 20%
  first, +10% each time, at most 99%) when two syncs in a row found the
  guest dirtying more than half of what the pass sent.
* Post-copy moves the guest to the destination at once; the rest of its
  memory follows at link speed and nothing is dirtied any more here.
* Pausing the guest stops it dirtying memory, so any migration converges.

No threads and no clocks here: ``advance(seconds)`` is all that moves time,
so tests drive it step by step.
"""
import dataclasses

from migrator.virt import driver

MIB = 1024 * 1024
GIB = 1024 * MIB
PAGE_SIZE = 4096

# Simulated seconds per integration step: small next to any pass.
DEFAULT_TICK = 0.05

# QEMU's auto-converge schedule (cpu-throttle-initial/-increment, max).
THROTTLE_INITIAL = 0.20
THROTTLE_INCREMENT = 0.10
THROTTLE_MAX = 0.99
# Dirtied/sent ratio above which a sync counts as "not converging".
THROTTLE_TRIGGER_RATIO = 0.5
THROTTLE_TRIGGER_SYNCS = 2

# Device state sent while the guest pauses for a post-copy switch.
POSTCOPY_SWITCH_DOWNTIME_MS = 10

PHASE_DISK = 'disk'
PHASE_MEMORY = 'memory'
PHASE_SWITCHOVER = 'switchover'
PHASE_POSTCOPY = 'postcopy'
PHASE_DONE = 'done'


def _whole(value):
    # Rounded, not truncated: float steps must not show 9999 for 10000.
    return int(round(value))


class SimulationError(Exception):
    """A request the simulated hypervisor refuses (as libvirt would)."""


@dataclasses.dataclass
class MigrationSetup:
    """Everything that decides how a simulated migration goes."""
    memory_bytes: int
    link_bps: float                   # bytes/s the link carries
    dirty_rate_bps: float = 0.0       # bytes/s the guest dirties
    working_set_bytes: int = 0        # 0: the whole memory
    disk_bytes: int = 0               # 0: no block migration
    speed_cap_bps: float = 0.0        # 0: no cap below the link
    max_downtime_ms: float = 300.0    # QEMU's default downtime-limit
    permit_post_copy: bool = False
    permit_auto_converge: bool = False
    fail_at_percent: float = None     # None: never fails


class PreCopySimulation(object):
    """One simulated migration; advance it, read libvirt-shaped stats."""

    def __init__(self, setup, tick=DEFAULT_TICK):
        self.setup = setup
        self.tick = tick
        self.elapsed = 0.0
        self.phase = PHASE_DISK if setup.disk_bytes else PHASE_MEMORY
        self.job_type = driver.JOB_UNBOUNDED
        self.error_message = None
        self.max_downtime_ms = float(setup.max_downtime_ms)
        self.speed_cap_bps = float(setup.speed_cap_bps or 0)
        self.paused = False
        self.throttle = 0.0
        self.postcopy_requested = False
        self.disk_processed = 0
        self.memory_processed = 0.0
        self.iteration = 1 if self.phase == PHASE_MEMORY else 0
        self.pass_remaining = (float(setup.memory_bytes)
                               if self.phase == PHASE_MEMORY else 0.0)
        self.pass_sent = 0.0
        self.dirtied = 0.0
        self.final_bytes = 0.0        # switch-over or post-copy leftovers
        self.downtime_ms = None       # actual, once switched over
        self.postcopy_requests = 0
        self._high_dirty_syncs = 0

    # -- knobs (what a MigrationJob forwards) -----------------------------
    @property
    def bandwidth_bps(self):
        link = float(self.setup.link_bps)
        if self.speed_cap_bps > 0:
            return min(link, self.speed_cap_bps)
        return link

    @property
    def working_set_bytes(self):
        ws = self.setup.working_set_bytes or self.setup.memory_bytes
        return min(ws, self.setup.memory_bytes)

    @property
    def effective_dirty_rate_bps(self):
        """What the guest dirties now: 0 when paused or on the destination.
        """
        if self.paused or self.phase in (PHASE_POSTCOPY, PHASE_SWITCHOVER,
                                         PHASE_DONE):
            return 0.0
        return self.setup.dirty_rate_bps * (1.0 - self.throttle)

    @property
    def finished(self):
        return self.phase == PHASE_DONE

    @property
    def guest_on_destination(self):
        return (self.phase == PHASE_POSTCOPY or
                self.job_type == driver.JOB_COMPLETED)

    def set_max_downtime(self, milliseconds):
        self.max_downtime_ms = float(milliseconds)

    def set_max_speed(self, mib_per_second):
        self.speed_cap_bps = float(mib_per_second or 0) * MIB

    def pause(self):
        self.paused = True

    def resume(self):
        self.paused = False

    def start_postcopy(self):
        if not self.setup.permit_post_copy:
            raise SimulationError('post-copy was not permitted when the '
                                  'migration started')
        if self.phase in (PHASE_DISK, PHASE_MEMORY):
            # libvirt accepts it during the disk copy too; the switch
            # happens once memory starts moving.
            self.postcopy_requested = True

    def abort(self):
        if self.phase == PHASE_POSTCOPY:
            raise SimulationError('cannot abort a migration in post-copy '
                                  'mode: the guest already runs on the '
                                  'destination')
        if not self.finished:
            self._finish(driver.JOB_CANCELLED, 'migration aborted by request')

    # -- time ------------------------------------------------------------
    def advance(self, seconds):
        """Move simulated time on by ``seconds``."""
        while seconds > 1e-12 and not self.finished:
            step = min(self.tick, seconds)
            self._step(step)
            seconds -= step

    def _step(self, dt):
        self.elapsed += dt
        budget = self.bandwidth_bps * dt
        if self.phase == PHASE_DISK:
            budget = self._copy_disk(budget)
        if self.phase == PHASE_MEMORY:
            self._copy_memory(budget, dt)
        elif self.phase in (PHASE_SWITCHOVER, PHASE_POSTCOPY):
            self._send_final(budget)
        self._maybe_fail()

    def _copy_disk(self, budget):
        sent = min(budget, self.setup.disk_bytes - self.disk_processed)
        self.disk_processed += sent
        if self.disk_processed >= self.setup.disk_bytes:
            self.disk_processed = self.setup.disk_bytes
            self.phase = PHASE_MEMORY
            self.iteration = 1
            self.pass_remaining = float(self.setup.memory_bytes)
            self.pass_sent = 0.0
        return budget - sent

    def _copy_memory(self, budget, dt):
        if self.postcopy_requested:
            self._switch_to_postcopy()
            self._send_final(budget)
            return
        self.dirtied = min(float(self.working_set_bytes),
                           self.dirtied + self.effective_dirty_rate_bps * dt)
        sent = min(budget, self.pass_remaining)
        self.pass_remaining -= sent
        self.pass_sent += sent
        self.memory_processed += sent
        if self.pass_remaining <= 0:
            self._sync_dirty_bitmap()
        pending = self.pass_remaining + self.dirtied
        if pending <= self.bandwidth_bps * self.max_downtime_ms / 1000.0:
            self._switch_over(pending)

    def _sync_dirty_bitmap(self):
        """End of a pass: what was dirtied is the next pass."""
        if self.setup.permit_auto_converge:
            self._auto_converge()
        self.iteration += 1
        self.pass_remaining = self.dirtied
        self.pass_sent = 0.0
        self.dirtied = 0.0

    def _auto_converge(self):
        if self.dirtied > THROTTLE_TRIGGER_RATIO * self.pass_sent:
            self._high_dirty_syncs += 1
        if self._high_dirty_syncs >= THROTTLE_TRIGGER_SYNCS:
            self._high_dirty_syncs = 0
            if self.throttle == 0:
                self.throttle = THROTTLE_INITIAL
            else:
                self.throttle = min(THROTTLE_MAX,
                                    self.throttle + THROTTLE_INCREMENT)

    def _switch_over(self, pending):
        """Pause the guest and send the rest: that pause is the downtime."""
        self.phase = PHASE_SWITCHOVER
        self.final_bytes = pending
        self.downtime_ms = pending / self.bandwidth_bps * 1000.0
        self.pass_remaining = 0.0
        self.dirtied = 0.0
        if pending <= 0:
            self._finish(driver.JOB_COMPLETED)

    def _switch_to_postcopy(self):
        self.phase = PHASE_POSTCOPY
        self.final_bytes = self.pass_remaining + self.dirtied
        self.downtime_ms = POSTCOPY_SWITCH_DOWNTIME_MS
        self.pass_remaining = 0.0
        self.dirtied = 0.0

    def _send_final(self, budget):
        sent = min(budget, self.final_bytes)
        self.final_bytes -= sent
        self.memory_processed += sent
        if self.phase == PHASE_POSTCOPY and sent:
            # Page faults on the destination pull pages ahead of the rest.
            self.postcopy_requests += max(1, int(sent / MIB))
        if self.final_bytes <= 0:
            self._finish(driver.JOB_COMPLETED)

    def _maybe_fail(self):
        pct = self.setup.fail_at_percent
        if pct is None or self.finished:
            return
        total = self.setup.memory_bytes + self.setup.disk_bytes
        if total and (self.disk_processed + self.memory_processed >=
                      total * float(pct) / 100.0):
            self._finish(driver.JOB_FAILED,
                         'simulated transfer failure at %s%%' % pct)

    def _finish(self, job_type, error_message=None):
        self.phase = PHASE_DONE
        self.job_type = job_type
        self.error_message = error_message
        if job_type == driver.JOB_COMPLETED:
            self.final_bytes = 0.0

    # -- what libvirt's virDomainGetJobStats would say --------------------
    @property
    def memory_remaining(self):
        if self.phase == PHASE_DISK:
            return float(self.setup.memory_bytes)
        if self.phase == PHASE_DONE and self.job_type == driver.JOB_COMPLETED:
            return 0.0
        return self.pass_remaining + self.final_bytes

    def expected_downtime_ms(self):
        if self.downtime_ms is not None:
            return self.downtime_ms
        pending = self.memory_remaining + self.dirtied
        return pending / self.bandwidth_bps * 1000.0

    def job_stats(self):
        memory_remaining = _whole(self.memory_remaining)
        disk_total = int(self.setup.disk_bytes)
        disk_remaining = disk_total - _whole(self.disk_processed)
        memory_moving = self.phase in (PHASE_MEMORY, PHASE_SWITCHOVER,
                                       PHASE_POSTCOPY)
        stats = {
            'type': self.job_type,
            'time_elapsed': _whole(self.elapsed * 1000),
            'memory_total': int(self.setup.memory_bytes),
            'memory_processed': _whole(self.memory_processed),
            'memory_remaining': memory_remaining,
            'memory_bps': int(self.bandwidth_bps) if memory_moving else 0,
            'memory_dirty_rate': int(self.effective_dirty_rate_bps /
                                     PAGE_SIZE),
            'memory_page_size': PAGE_SIZE,
            'memory_iteration': self.iteration,
            'disk_total': disk_total,
            'disk_processed': _whole(self.disk_processed),
            'disk_remaining': disk_remaining,
            'downtime': int(round(self.expected_downtime_ms())),
        }
        if self.phase == PHASE_POSTCOPY or self.postcopy_requests:
            stats['memory_postcopy_requests'] = self.postcopy_requests
        stats['data_total'] = stats['memory_total'] + disk_total
        stats['data_processed'] = (stats['memory_processed'] +
                                   stats['disk_processed'])
        stats['data_remaining'] = memory_remaining + disk_remaining
        if self.error_message:
            stats['errmsg'] = self.error_message
        return stats
