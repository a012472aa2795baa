"""The byte-progress model every data move reports through.

Feed it how many bytes are done at a given time; read total, processed,
remaining, a percent, a smoothed rate and an ETA. Pure: no clock, no I/O
(the caller passes the time), so it serves the copy loop of
``migrator.transfer`` and tests alike. (Live migration has its own
estimator in ``migrator.virt.progress``, which also weighs memory the
guest dirties again.)

* ``percent`` is an int that never goes back, stays at most 99 while bytes
  remain, and is 100 only once ``finish()`` says the move completed (a
  copy of 0 bytes goes from 0 straight to 100).
* ``rate`` is bytes per second, an exponential moving average of the rates
  measured between updates (None until two updates are apart in time).
* ``eta_seconds`` is remaining / rate, rounded (None without a rate).
"""

#: Weight of a new rate measurement in the moving average.
RATE_SMOOTHING = 0.3

KEYS = ('total', 'processed', 'remaining', 'percent', 'rate',
        'eta_seconds')


class ByteProgress(object):
    """Estimates progress of a move of ``total`` bytes."""

    def __init__(self, total, smoothing=RATE_SMOOTHING):
        if total < 0:
            raise ValueError('total must not be negative: %r' % (total,))
        self.total = int(total)
        self._smoothing = smoothing
        self._percent = 0
        self._rate = None
        self._last_time = None
        self._last_processed = 0
        self._processed = 0
        self._finished = False

    def update(self, now, processed):
        """Fold in that ``processed`` bytes are done at time ``now``
        (seconds on any monotonic clock); returns the progress dict.
        """
        processed = max(0, min(int(processed), self.total))
        if self._last_time is None:
            self._last_time = now
            self._last_processed = processed
        elif now > self._last_time:
            measured = max(0.0, (processed - self._last_processed) /
                           (now - self._last_time))
            if self._rate is None:
                self._rate = measured
            else:
                self._rate += self._smoothing * (measured - self._rate)
            self._last_time = now
            self._last_processed = processed
        self._processed = max(self._processed, processed)
        if self.total and not self._finished:
            raw = 100 * self._processed // self.total
            self._percent = max(self._percent, min(99, raw))
        return self.as_dict()

    def finish(self, completed=True):
        """The final figures: 100 % and ETA 0 when ``completed``; else
        the last figures as they stood, without an ETA.
        """
        if completed:
            self._finished = True
            self._processed = self.total
            self._percent = 100
        result = self.as_dict()
        if not completed:
            result['eta_seconds'] = None
        return result

    @property
    def percent(self):
        return self._percent

    @property
    def rate(self):
        return None if self._rate is None else int(self._rate)

    def as_dict(self):
        remaining = self.total - self._processed
        if self._finished:
            eta = 0
        elif self._rate:
            eta = int(round(remaining / self._rate))
        else:
            eta = None
        return {'total': self.total, 'processed': self._processed,
                'remaining': remaining, 'percent': self._percent,
                'rate': self.rate, 'eta_seconds': eta}
