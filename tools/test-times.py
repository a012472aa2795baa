#!/usr/bin/env python3
"""Keep slow tests' times in git so a fresh checkout balances its workers.

    python tools/test-times.py seed   # fresh repository: load the times
    python tools/test-times.py save   # after a full run: record them

stestr deals tests to its workers by their times in its repository
(.stestr); a fresh checkout has none, so it deals them round-robin, and in
CI one worker ran 2 minutes longer than another (functional 7:29 against
5:37, integration 9:37 against 7:06). ``save`` writes the times .stestr
holds of the tests that take at least MIN_SECONDS to
tools/test-times.json; ``seed`` loads them into a repository that has no
run yet as one stestr run, so its workers get a like share. Tests not in
the file (new, or quick) are still dealt round-robin.
"""

import datetime
import dbm.dumb
import io
import json
import os
import subprocess
import sys

import subunit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMES_FILE = os.path.join(ROOT, 'tools', 'test-times.json')
REPOSITORY = os.path.join(ROOT, '.stestr')
MIN_SECONDS = 0.5


def _recorded_times():
    """{test id: seconds} as the repository keeps them (its times.dbm)."""
    path = os.path.join(REPOSITORY, 'times.dbm')
    if not os.path.exists(path + '.dat'):
        return {}
    db = dbm.dumb.open(path, 'r')
    try:
        return {key.decode(): float(db[key]) for key in db.keys()}
    finally:
        db.close()


def save():
    times = _recorded_times()
    slow = {test_id: round(seconds, 1)
            for test_id, seconds in sorted(times.items())
            if seconds >= MIN_SECONDS}
    with open(TIMES_FILE, 'w') as out:
        json.dump(slow, out, indent=0, sort_keys=True)
        out.write('\n')
    print('test-times: %d of %d tests take %.1f s or more; written to %s'
          % (len(slow), len(times), MIN_SECONDS, TIMES_FILE))
    return 0


def _stream_of(times):
    """A subunit v2 stream in which each test passed in its recorded time."""
    out = io.BytesIO()
    writer = subunit.StreamResultToBytes(out)
    start = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    for test_id, seconds in sorted(times.items()):
        writer.status(test_id=test_id, test_status='inprogress',
                      timestamp=start)
        writer.status(test_id=test_id, test_status='success',
                      timestamp=start + datetime.timedelta(seconds=seconds))
    return out.getvalue()


def seed(stestr):
    if _recorded_times():
        return 0  # the repository has times of its own
    with open(TIMES_FILE) as source:
        times = json.load(source)
    loaded = subprocess.run(
        [stestr, 'load', '--force-init'], input=_stream_of(times),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    if loaded.returncode:
        sys.stderr.write('test-times: stestr load failed: %s\n'
                         % loaded.stderr.decode(errors='replace'))
        return loaded.returncode
    print('test-times: seeded .stestr with the times of %d slow tests'
          % len(times))
    return 0


def main(argv):
    if argv[1:2] == ['save']:
        return save()
    if argv[1:2] == ['seed']:
        stestr = os.path.join(os.path.dirname(sys.executable), 'stestr')
        return seed(stestr)
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
