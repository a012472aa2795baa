"""``cell_v2 map_instances``: drive the set-based mapper
(``migrator.db.map_instances``) over one cell, with progress.

On a terminal a tqdm bar shows the count, the rate and the time left;
otherwise a plain line is printed every few seconds. A summary line ends
every run. Exit codes are Nova's: 0 all mapped, 1 more to do (after
``--max-count``), 127 a bad ``--max-count``.
"""
import sys
import time

import tqdm

from migrator.cmd.manage.base import CommandFailed
from migrator.db import map_instances as mapper_db

MORE_TO_DO = 1
BAD_MAX_COUNT = 127
PLAIN_EVERY = 5.0   # seconds between plain progress lines


def parse_max_count(max_count):
    """None (map everything) or a positive int; CommandFailed(127)
    otherwise, as Nova answers."""
    if max_count is None:
        return None
    try:
        value = int(max_count)
    except (TypeError, ValueError):
        value = -1
    if value < 1:
        raise CommandFailed('Must supply a positive value for max-count',
                            code=BAD_MAX_COUNT)
    return value


class Progress:
    """A tqdm bar on a terminal, plain lines every PLAIN_EVERY s
    otherwise."""

    def __init__(self, total, stream=None):
        self.stream = stream or sys.stdout
        self.total = total
        self.done = 0
        self.started = time.monotonic()
        self._last_line = self.started
        self.bar = None
        if self.stream.isatty():
            self.bar = tqdm.tqdm(total=total, unit=' instances',
                                 unit_scale=True, dynamic_ncols=True,
                                 desc='Mapping', file=self.stream)

    def update(self, count, mapped_so_far):
        self.done += count
        if self.bar is not None:
            self.bar.set_postfix(mapped=mapped_so_far, refresh=False)
            self.bar.update(count)
            return
        now = time.monotonic()
        if now - self._last_line >= PLAIN_EVERY:
            self._last_line = now
            rate = self.done / max(now - self.started, 1e-6)
            percent = (100.0 * self.done / self.total) if self.total else 100
            left = ((self.total - self.done) / rate) if rate else 0
            print('Looked at %d of %d instances (%.0f%%), %d newly mapped, '
                  '%.0f/s, about %.0f s left' % (
                      self.done, self.total, percent, mapped_so_far, rate,
                      max(left, 0)), file=self.stream, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()

    @property
    def elapsed(self):
        return time.monotonic() - self.started


def run(cell, max_count=None, reset=False, batch_size=None, out=None):
    """Map the instances of ``cell`` (a CellMapping); the exit code."""
    out = out or sys.stdout
    limit_total = parse_max_count(max_count)
    with mapper_db.InstanceMapper(cell.id, cell.database_connection,
                                  batch_size) as mapper:
        batch_size = mapper.batch_size
        marker = mapper.read_marker()
        if reset and marker:
            mapper.clear_marker()
            marker = None
        low = None
        if marker:
            low = mapper.key_of(marker)
            if low is None:
                print('The marker of a previous run (instance %s) is no '
                      'longer in the cell; starting from the first '
                      'instance.' % marker, file=out)
            else:
                print('Resuming after instance %s (the marker of a '
                      'previous run).' % marker, file=out)
        remaining = mapper.count_after(low)
        total = remaining if limit_total is None else min(remaining,
                                                          limit_total)
        progress = Progress(total, out)
        looked_at = mapped = 0
        more = remaining > 0
        try:
            while more:
                step = batch_size
                if limit_total is not None:
                    step = min(step, limit_total - looked_at)
                    if step <= 0:
                        break
                result = mapper.map_batch(low, step)
                if result is None:
                    more = False
                    break
                batch = result
                low = batch.last_key
                looked_at += batch.looked_at
                mapped += batch.mapped
                more = batch.more
                progress.update(batch.looked_at, mapped)
        finally:
            progress.close()
        if not more:
            mapper.clear_marker()
        print('%s: looked at %d instances of cell %s in %.1f s, mapped %d '
              'new, %d were already mapped (%s).' % (
                  'More to do' if more else 'All instances are mapped',
                  looked_at, cell.identity, progress.elapsed, mapped,
                  looked_at - mapped, mapper.strategy), file=out)
        return MORE_TO_DO if more else 0
