"""Stall detection for live migrations that does not fire on healthy ones.

Nova's progress timeout watched whether ``data_remaining`` fell within a
wall-clock window. It fired on healthy migrations because remaining bytes
legitimately stand still or rise: during a long disk copy (memory figures
do not move) and at every pre-copy pass (the dirtied memory comes back).

This detector instead keeps low-water marks:

* During the bulk copy (disks, then the first memory pass), progress is
  any new low of memory + disk remaining: every byte sent counts.
* Once pre-copy iterates, each pass's size (the highest remaining seen in
  it, i.e. what the dirty-bitmap sync handed it) is what must shrink for
  the migration to converge. Progress is a pass at least
  ``ITERATION_MIN_GAIN`` smaller than the best one so far; the sawtooth
  within passes is ignored.

It reports a stall only when there has been no progress for ``timeout``
seconds *and* at least ``iterations`` passes went by without any: pages
are moving but the guest re-dirties them as fast (a non-converging guest).
A transfer that moved no byte at all for ``timeout`` (a hung link) is a
stall regardless of iterations.
"""

# A pass must be this much smaller than the best so far to count.
ITERATION_MIN_GAIN = 0.10


class StallDetector(object):

    def __init__(self, timeout, iterations):
        """``timeout`` seconds (0 disables), ``iterations`` passes."""
        self.timeout = timeout
        self.iterations = iterations
        self._bulk_low = None
        self._pass_low = None
        self._pass_number = None
        self._pass_peak = 0
        self._last_progress_time = None
        self._passes_since_progress = 0
        self._processed = None
        self._last_moved_time = None

    @property
    def enabled(self):
        return self.timeout > 0

    def feed(self, now, stats):
        """Fold a sample; return a reason string if stalled, else None."""
        memory_remaining = stats.get('memory_remaining')
        if not self.enabled or memory_remaining is None:
            return None
        if self._last_progress_time is None:
            self._last_progress_time = now
            self._last_moved_time = now
        self._track_bytes_moving(now, stats)
        if self._made_progress(stats):
            self._last_progress_time = now
            self._passes_since_progress = 0
        return self._verdict(now)

    def _track_bytes_moving(self, now, stats):
        processed = ((stats.get('memory_processed') or 0) +
                     (stats.get('disk_processed') or 0))
        if self._processed is None or processed > self._processed:
            self._last_moved_time = now
        self._processed = processed

    def _made_progress(self, stats):
        iteration = stats.get('memory_iteration') or 0
        disk_remaining = stats.get('disk_remaining') or 0
        memory_remaining = stats['memory_remaining']
        if iteration <= 1 or disk_remaining > 0:
            remaining = memory_remaining + disk_remaining
            if self._bulk_low is None or remaining < self._bulk_low:
                self._bulk_low = remaining
                return True
            return False
        if iteration != self._pass_number:
            # A new pass: judge the one that just ended by its size.
            progress = self._close_pass()
            if self._pass_number is not None:
                self._passes_since_progress += iteration - self._pass_number
            self._pass_number = iteration
            self._pass_peak = memory_remaining
            return progress
        self._pass_peak = max(self._pass_peak, memory_remaining)
        return False

    def _close_pass(self):
        if self._pass_number is None:
            return True     # the first iterative pass: a fresh start
        size = self._pass_peak
        if (self._pass_low is None or
                size < self._pass_low * (1 - ITERATION_MIN_GAIN)):
            self._pass_low = size
            return True
        return False

    def _verdict(self, now):
        if now - self._last_moved_time >= self.timeout:
            return ('no data moved for %d s' %
                    (now - self._last_moved_time))
        if (now - self._last_progress_time >= self.timeout and
                self._passes_since_progress >= self.iterations):
            return ('remaining data has not shrunk for %d s and %d memory '
                    'iterations' % (now - self._last_progress_time,
                                    self._passes_since_progress))
        return None
