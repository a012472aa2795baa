"""Live-migration progress, estimated from job-stats samples.

Feed it libvirt-shaped job stats with the time they were taken; read a
progress dict. Pure: no clock, no I/O.

Why not Nova's ``100 - memory_remaining/memory_total``: libvirt's
``memory_remaining`` falls during a pre-copy pass and jumps back up when the
next pass starts, so that percentage runs backwards, ignores disks and
reaches 99% at the end of the first pass even when the guest will never
converge. Here:

* the bytes still to send count the disks and the memory *already dirtied
  again* in this pass (dirty rate x time since the pass began, at most the
  guest's memory), so a guest that dirties as fast as the link sends stays
  where it is instead of jumping to 99%;
* the percentage never goes back, stays below 100 until the migration
  completed, and is 100 then;
* the ETA is remaining disk at the transfer rate plus remaining memory at
  the *net* rate (transfer minus dirty rate), the sum of the pre-copy
  geometric series; None until two samples give a rate, and None while the
  guest dirties memory as fast as it is sent (it will not converge).
"""

PROGRESS_KEYS = (
    'memory_total', 'memory_processed', 'memory_remaining',
    'disk_total', 'disk_processed', 'disk_remaining',
    'percent', 'transfer_rate', 'dirty_rate', 'iteration',
    'expected_downtime_ms', 'eta_seconds')

SEED_001_KEYS = PROGRESS_KEYS[:6]

DEFAULT_PAGE_SIZE = 4096

# Weight of a new transfer-rate measurement in the moving average.
RATE_SMOOTHING = 0.3


class ProgressEstimator(object):

    def __init__(self):
        self._percent = None
        self._rate = None             # smoothed bytes/s
        self._last_time = None
        self._last_processed = None
        self._iteration = None
        self._iteration_started = None
        self._postcopy = False
        self._latest = self._empty()

    @staticmethod
    def _empty():
        return dict.fromkeys(PROGRESS_KEYS)

    @property
    def latest(self):
        """The progress dict of the last sample (a copy)."""
        return dict(self._latest)

    def enter_postcopy(self):
        """The guest now runs on the destination: nothing gets dirtied
        here any more.
        """
        self._postcopy = True

    def feed(self, now, stats):
        """Fold one job-stats sample taken at ``now`` (seconds).

        Returns the progress dict.
        """
        if stats.get('memory_total') is None:
            # The driver exposes no figures: leave the fields null.
            self._latest = self._empty()
            self._latest['percent'] = self._percent
            return self.latest
        progress = {key: int(stats.get(key) or 0) for key in SEED_001_KEYS}
        self._update_rate(now, progress)
        dirty_rate = self._dirty_rate(stats)
        iteration = stats.get('memory_iteration')
        self._track_iteration(now, iteration)
        debt = self._redirtied_bytes(now, dirty_rate, progress)
        total = progress['memory_total'] + progress['disk_total']
        remaining = min(total, progress['memory_remaining'] +
                        progress['disk_remaining'] + debt)
        if total > 0:
            raw = int(100 * (total - remaining) // total)
            self._percent = min(99, max(self._percent or 0, raw))
        progress.update(
            percent=self._percent,
            transfer_rate=(None if self._rate is None
                           else int(self._rate)),
            dirty_rate=dirty_rate,
            iteration=iteration,
            expected_downtime_ms=stats.get('downtime'),
            eta_seconds=self._eta(progress, debt, dirty_rate))
        self._latest = progress
        return self.latest

    def finish(self, completed, stats=None, now=None):
        """The final progress dict: 100% and ETA 0 if ``completed``, else
        the last figures as they stood.
        """
        if stats is not None and stats.get('memory_total') is not None:
            self.feed(now if now is not None else self._last_time or 0.0,
                      stats)
        progress = self.latest
        if completed:
            self._percent = 100
            progress['percent'] = 100
            progress['eta_seconds'] = 0
            if progress['memory_total'] is not None:
                progress['memory_remaining'] = 0
                progress['disk_remaining'] = 0
        else:
            progress['eta_seconds'] = None
        self._latest = progress
        return dict(progress)

    # -- pieces -----------------------------------------------------------
    def _update_rate(self, now, progress):
        processed = progress['memory_processed'] + progress['disk_processed']
        if self._last_time is not None and now > self._last_time:
            measured = ((processed - self._last_processed) /
                        (now - self._last_time))
            measured = max(0.0, measured)
            if self._rate is None:
                self._rate = measured
            else:
                self._rate += RATE_SMOOTHING * (measured - self._rate)
        self._last_time = now
        self._last_processed = processed

    def _dirty_rate(self, stats):
        if self._postcopy:
            return 0
        pages = stats.get('memory_dirty_rate')
        if pages is None:
            return None
        page_size = stats.get('memory_page_size') or DEFAULT_PAGE_SIZE
        return int(pages * page_size)

    def _track_iteration(self, now, iteration):
        if iteration != self._iteration:
            self._iteration = iteration
            self._iteration_started = now

    def _redirtied_bytes(self, now, dirty_rate, progress):
        """Memory already sent in this pass and dirtied again since."""
        if not dirty_rate or not self._iteration:
            return 0
        already_sent = (progress['memory_total'] -
                        progress['memory_remaining'])
        dirtied = dirty_rate * (now - self._iteration_started)
        return int(max(0, min(dirtied, already_sent,
                              progress['memory_total'])))

    def _eta(self, progress, debt, dirty_rate):
        rate = self._rate
        if not rate or rate <= 0:
            return None
        net = rate - (dirty_rate or 0)
        memory_left = progress['memory_remaining'] + debt
        if memory_left > 0 and net <= 0:
            return None     # not converging at this dirty rate
        seconds = progress['disk_remaining'] / rate
        if memory_left > 0:
            seconds += memory_left / net
        return int(round(seconds))
