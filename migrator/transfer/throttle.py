"""Holding a copy to a rate."""
import time


class RateLimiter(object):
    """Keeps the average rate since ``start()`` at most ``rate`` bytes/s.

    After each chunk the caller reports its size; when the bytes sent are
    ahead of the schedule ``rate`` sets, ``sleep`` is called with the
    seconds until they are due. Bursts are at most one chunk. ``clock``
    and ``sleep`` are injectable (tests pass fakes; ``copy`` passes a
    sleep that a cancel wakes).
    """

    def __init__(self, rate, clock=time.monotonic, sleep=time.sleep):
        if rate <= 0:
            raise ValueError('rate must be positive: %r' % (rate,))
        self.rate = float(rate)
        self._clock = clock
        self._sleep = sleep
        self._start = None
        self._sent = 0

    def start(self):
        self._start = self._clock()
        self._sent = 0

    def consumed(self, nbytes):
        """``nbytes`` more were sent; sleep until they are due."""
        if self._start is None:
            self.start()
        self._sent += nbytes
        delay = self._start + self._sent / self.rate - self._clock()
        if delay > 0:
            self._sleep(delay)
        return max(delay, 0.0)
