"""Where a running process spends its time: py-spy samples its stacks
(no change to the process, no restart) and the hottest frames are
summarised for a result's notes.

``Sampler(pids, seconds)`` starts one ``py-spy record`` per pid in the
background; ``top()`` waits for them and gives the frames seen in the
most samples: the innermost migrator frame of each stack (what of ours
is running or waiting) and the innermost frame of all (where exactly).
Without py-spy (``pip install py-spy``) it says so instead.
"""
import collections
import os
import shutil
import subprocess
import sys
import tempfile


def py_spy():
    return (shutil.which('py-spy', path=os.path.dirname(sys.executable)) or
            shutil.which('py-spy'))


class Sampler:

    def __init__(self, pids, seconds, rate=50, idle=False):
        self.dir = tempfile.mkdtemp(prefix='migrator-bench-prof-')
        self.procs = []
        self.missing = py_spy() is None
        if self.missing:
            return
        for pid in pids:
            cmd = [py_spy(), 'record', '--pid', str(pid), '--rate',
                   str(rate), '--duration', str(int(seconds)), '--format',
                   'raw', '--nonblocking', '--output',
                   os.path.join(self.dir, '%d.txt' % pid)]
            if idle:
                cmd.append('--idle')
            self.procs.append(subprocess.Popen(
                cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL))

    def stacks(self):
        """{collapsed stack: samples} once every py-spy has ended."""
        for proc in self.procs:
            try:
                proc.wait(120)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        counts = collections.Counter()
        for name in os.listdir(self.dir):
            with open(os.path.join(self.dir, name)) as f:
                for line in f:
                    stack, _, n = line.rstrip().rpartition(' ')
                    if stack and n.isdigit():
                        counts[stack] += int(n)
        shutil.rmtree(self.dir, ignore_errors=True)
        return counts

    def top(self, within=None, count=8):
        """{'samples', 'ours': [(share, frame)], 'leaves': [...]}: the
        hottest innermost migrator frames and innermost frames, over
        the stacks that pass through ``within`` (a substring of a frame,
        e.g. a request handler's name), shares in % of those."""
        if self.missing:
            return {'samples': 0, 'ours': [], 'leaves': [],
                    'error': 'py-spy is not installed'}
        ours, leaves = collections.Counter(), collections.Counter()
        total = 0
        for stack, n in self.stacks().items():
            if within and within not in stack:
                continue
            frames = stack.split(';')
            total += n
            leaves[_short(frames[-1])] += n
            mine = [f for f in frames if _ours(f)]
            if mine:
                ours[_short(mine[-1])] += n

        def shares(counter):
            return [(round(100.0 * n / total, 1), frame)
                    for frame, n in counter.most_common(count)]
        return {'samples': total, 'ours': shares(ours) if total else [],
                'leaves': shares(leaves) if total else []}


def _ours(frame):
    # py-spy names files relative to sys.path: ours start "migrator/".
    where = frame.partition(' (')[2]
    return where.startswith('migrator/')


def _short(frame):
    """'func (path/to/module.py:12)' -> 'func (module.py:12)'."""
    name, _, where = frame.partition(' (')
    return '%s (%s' % (name, where.rsplit('/', 1)[-1]) if where else name


def describe(profile, what):
    """One line for a result's notes."""
    if profile.get('error'):
        return '%s: not profiled (%s)' % (what, profile['error'])
    return '%s, %d py-spy samples: ours %s; innermost %s' % (
        what, profile['samples'],
        ', '.join('%s %s%%' % (f, s) for s, f in profile['ours'][:5]),
        ', '.join('%s %s%%' % (f, s) for s, f in profile['leaves'][:4]))
