"""Data copy (PMEM and volumes): migrator.transfer against the raw tools.

Copies one file (2 GiB by default; 256 MiB with ``--quick``) side by side
in one run, each case ``--repeat`` times, and compares medians. Each round
runs the places (ssh, local, shm) in a new order and each place's cases
back to back in a new order, so that a noisy neighbour hurts them alike
and the cases a ratio compares run close together. The source is
not in the page cache when a case starts (written, fsync'ed and dropped
with ``posix_fadvise(POSIX_FADV_DONTNEED)`` before every case), as a
PMEM namespace or a volume file that is being moved is not: each case
reads it from the disk.

Before every case the machine is settled: the destination of the case
before is deleted, then ``sync()`` and a wait (up to 5 s) until the
kernel has no writeback in flight, so that no case pays for the dirty
pages of another (an unsynced 2 GiB copy leaves them all dirty).

over SSH (Debian's sshd on a loopback port, started here with throw-away
keys; every case uses the same ssh argv: the transfer.SSHHost options,
cipher aes128-gcm@openssh.com, compression off)
  raw          ``cat src | ssh host 'cat > dst'``
  raw+sync     ``cat src | ssh host 'cat > dst && sync dst'``
  copy         transfer.copy as migrator runs it: verified (the default
               checksum, auto: xxh3_128 where both ends have the xxhash
               module, else crc32; on both ends in the stream), progress
               callbacks every second, fsync'ed once at the end
  copy-nosync  the same without the fsync
  bare-nosync  no verification, no progress, no fsync
  xxh3         ``copy-nosync`` with checksum='xxh3_128' (the xxhash
               module here and, with --remote-python, on the far end)
locally
  dd           ``dd if=src of=dst bs=4M``
  dd+sync      ``dd ... conv=fsync``
  copy, copy-nosync, bare-nosync, xxh3   as above, LocalFile to LocalFile
in memory (``shm``: source and destination on tmpfs, ``--shm-dir``,
/dev/shm by default; skipped when it lacks room for both)
  dd, copy, copy-nosync, bare-nosync     as locally
  crc32        ``copy-nosync`` with checksum='crc32' (the fallback where
               the xxhash module is missing)

The local disk of a virtual machine is a file the host caches: reading
the "uncached" source runs at anything from 300 MiB/s to 1.5 GiB/s from
one case to the next, which decides the local times more than the copy
does. The memory-backed pair is what copying a PMEM namespace (memory)
looks like, without that disk: it shows what the copy loop itself costs
against ``dd`` (fsync on tmpfs does nothing, so synced and unsynced are
alike there).

Besides the timed cases, one untimed 64 MiB copy runs the far end's agent
under ``strace -f -c`` (when strace is installed) and records how many
fsync, fdatasync, sync_file_range and fadvise64 calls it made: one fsync
and nothing else is what ``cat > dst && sync dst`` does.

Each ratio is the median of the ratios within each round ("value", which
is judged against the target: the cases of one round ran minutes apart
at most, so drifting load and disk speed hurt both sides of it alike) and
is also shown as the ratio of the medians ("of medians"). Each case's
runs are recorded with their seconds, CPU s/GiB and the MiB that were
dirty when they began.

Targets (issue 14, item 5): copy ≥ 0.9 × the raw pipe (and local or
in-memory copy ≥ 0.9 × dd on the same file system), compared like with
like (synced with synced, unsynced with unsynced); verification and
progress on vs off ≤ 5 % apart. CPU per GiB is the CPU time of this
process and its children (local side) and of the sshd sessions and what
they ran (remote side) per GiB copied.

    python -m benchmarks.bench_data_copy [--quick] [--size-mib N]
        [--repeat N] [--dir DIR] [--shm-dir DIR] [--output FILE]
        [--remote-python PATH]

Figures go to benchmarks/results/data_copy.json.
"""
import argparse
import datetime
import json
import os
import random
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from migrator.tests import fixtures_ssh
from migrator import transfer

MIB = 1024 * 1024
GIB = 1024 * MIB
RESULTS = os.path.join(os.path.dirname(__file__), 'results',
                       'data_copy.json')
TICK = os.sysconf('SC_CLK_TCK')
SHM = '/dev/shm'


def make_source(path, size):
    block = os.urandom(16 * MIB)
    with open(path, 'wb') as f:
        left = size
        while left:
            n = min(left, len(block))
            f.write(block[:n])
            left -= n
        f.flush()
        os.fsync(f.fileno())
    drop_from_cache(path)


def drop_from_cache(path):
    """Evict ``path``'s pages from the page cache (they are clean: the
    file was fsync'ed), so that the next read comes from the disk; only
    this file's, unlike ``echo 1 > /proc/sys/vm/drop_caches``, which
    would slow every process on a shared machine."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fdatasync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def cached_fraction(path):
    """The fraction of ``path``'s pages in the page cache (mincore via
    fincore(1) when present; None otherwise), to check the drop."""
    try:
        out = subprocess.run(['fincore', '--bytes', '--noheadings',
                              '--output', 'RES,SIZE', path],
                             capture_output=True, text=True, timeout=30)
        res, size = (int(x) for x in out.stdout.split()[:2])
        return res / size if size else 0.0
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def _children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _self_cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _reaped_cpu(pid):
    """CPU seconds of the reaped children of ``pid`` (the sshd
    listener: its sessions and what they ran)."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / TICK


def dirty_mib():
    """MiB the kernel holds dirty or under writeback (/proc/meminfo)."""
    kib = 0
    with open('/proc/meminfo') as f:
        for line in f:
            if line.startswith(('Dirty:', 'Writeback:')):
                kib += int(line.split()[1])
    return kib / 1024


def settle(timeout=5.0, idle_mib=16):
    """Write back every dirty page and wait until the writeback is done
    (or ``timeout``): sync() starts it, but neighbours dirty pages again,
    and a case must not start while the disk still flushes the last."""
    os.sync()
    deadline = time.monotonic() + timeout
    while dirty_mib() > idle_mib and time.monotonic() < deadline:
        time.sleep(0.1)
        os.sync()


def remove(path):
    if os.path.exists(path):
        os.unlink(path)


class Bench(object):

    def __init__(self, size, workdir, sshd, shmdir=None):
        self.size = size
        self.workdir = workdir
        self.sshd = sshd
        self.src = os.path.join(workdir, 'src')
        self.dst = os.path.join(workdir, 'dst')
        self.shmdir = shmdir
        # 'ssh' and 'local' copy on the disk, 'shm' on tmpfs.
        self.paths = {'ssh': (self.src, self.dst),
                      'local': (self.src, self.dst)}
        if shmdir:
            self.paths['shm'] = (os.path.join(shmdir, 'src'),
                                 os.path.join(shmdir, 'dst'))
        self.progress_calls = 0
        self.cached = []
        self.settle_s = 0.0

    # -- the cases --------------------------------------------------------
    def raw(self, sync):
        script = 'cat > "$1"' + (' && sync "$1"' if sync else '')
        cat = subprocess.Popen(['cat', self.src], stdout=subprocess.PIPE)
        ssh = subprocess.Popen(
            self.sshd.host.argv(['sh', '-c', script, 'sh', self.dst]),
            stdin=cat.stdout)
        cat.stdout.close()
        if ssh.wait() or cat.wait():
            raise RuntimeError('raw pipe failed')

    def dd(self, sync, where='local'):
        src, dst = self.paths[where]
        argv = ['dd', 'if=' + src, 'of=' + dst, 'bs=4M', 'status=none']
        if sync:
            argv.append('conv=fsync')
        subprocess.run(argv, check=True)

    def copy(self, where, verify=True, progress=True, sync=True,
             checksum=transfer.DEFAULT_CHECKSUM):
        src, dst = self.paths[where]
        sink = (transfer.RemoteFile(self.sshd.host, dst) if where == 'ssh'
                else transfer.LocalFile(dst))

        def on_progress(p):
            self.progress_calls += 1
        transfer.copy(transfer.LocalFile(src), sink, verify=verify,
                      on_progress=on_progress if progress else None,
                      sync=sync, checksum=checksum)

    # -- measuring --------------------------------------------------------
    def measure(self, where, func):
        src, dst = self.paths[where]
        for _, old in self.paths.values():
            remove(old)         # no case keeps another's output around
        settled = time.perf_counter()
        settle()        # no writeback of an earlier case during this one
        self.settle_s += time.perf_counter() - settled
        if where != 'shm':      # tmpfs is memory: nothing to drop
            drop_from_cache(src)
            self.cached.append(cached_fraction(src))
        dirty = dirty_mib()
        remote0 = _reaped_cpu(self.sshd.pid)
        local0 = _self_cpu() + _children_cpu()
        start = time.perf_counter()
        func()
        seconds = time.perf_counter() - start
        local = _self_cpu() + _children_cpu() - local0
        deadline = time.monotonic() + 10
        while self.sshd.session_pids() and time.monotonic() < deadline:
            time.sleep(0.05)
        remote = _reaped_cpu(self.sshd.pid) - remote0
        if os.path.getsize(dst) != self.size:
            raise RuntimeError('%s copied %d of %d bytes' % (
                func, os.path.getsize(dst), self.size))
        return seconds, local, remote, dirty


def _copier_cases(bench, place):
    """migrator's copy at ``place``: as migrator runs it, without the
    fsync, and bare (no verification, no progress, no fsync)."""
    return [
        (place, 'copy', lambda: bench.copy(place)),
        (place, 'copy-nosync', lambda: bench.copy(place, sync=False)),
        (place, 'bare-nosync', lambda: bench.copy(
            place, verify=False, progress=False, sync=False)),
    ]


def cases(bench):
    ssh = [
        ('ssh', 'raw', lambda: bench.raw(False)),
        ('ssh', 'raw+sync', lambda: bench.raw(True)),
    ] + _copier_cases(bench, 'ssh') + [
        ('ssh', 'xxh3', lambda: bench.copy('ssh', sync=False,
                                           checksum='xxh3_128')),
    ]
    local = [
        ('local', 'dd', lambda: bench.dd(False)),
        ('local', 'dd+sync', lambda: bench.dd(True)),
    ] + _copier_cases(bench, 'local') + [
        ('local', 'xxh3', lambda: bench.copy('local', sync=False,
                                             checksum='xxh3_128')),
    ]
    shm = [
        ('shm', 'dd', lambda: bench.dd(False, 'shm')),
    ] + _copier_cases(bench, 'shm') + [
        ('shm', 'crc32', lambda: bench.copy('shm', sync=False,
                                            checksum='crc32')),
    ]
    return ssh + local + (shm if 'shm' in bench.paths else [])


RATIOS = [
    # name, where, case, baseline, target, kind
    ('ssh: copy / raw+sync', 'ssh', 'copy', 'raw+sync', 0.9, 'min'),
    ('ssh: copy-nosync / raw', 'ssh', 'copy-nosync', 'raw', 0.9, 'min'),
    ('ssh: verify+progress on / off', 'ssh', 'copy-nosync', 'bare-nosync',
     0.05, 'apart'),
    ('ssh: xxh3 verify+progress on/off', 'ssh', 'xxh3', 'bare-nosync',
     0.05, 'apart'),
    ('local: copy / dd+sync', 'local', 'copy', 'dd+sync', 0.9, 'min'),
    ('local: copy-nosync / dd', 'local', 'copy-nosync', 'dd', 0.9, 'min'),
    ('local: verify+progress on / off', 'local', 'copy-nosync',
     'bare-nosync', 0.05, 'apart'),
    ('local: xxh3 verify+progress on/off', 'local', 'xxh3', 'bare-nosync',
     0.05, 'apart'),
    ('shm: copy / dd', 'shm', 'copy', 'dd', 0.9, 'min'),
    ('shm: copy-nosync / dd', 'shm', 'copy-nosync', 'dd', 0.9, 'min'),
    ('shm: verify+progress on / off', 'shm', 'copy-nosync', 'bare-nosync',
     0.05, 'apart'),
    ('shm: crc32 verify+progress on/off', 'shm', 'crc32', 'bare-nosync',
     0.05, 'apart'),
    # CPU s/GiB, case over baseline (no target): on a loaded machine the
    # wall times wait for a core, the CPU each case spends does not.
    ('shm: CPU copy-nosync / dd', 'shm', 'copy-nosync', 'dd', None, 'cpu'),
    ('shm: CPU verify+progress on / off', 'shm', 'copy-nosync',
     'bare-nosync', None, 'cpu'),
    ('shm: CPU crc32 on / off', 'shm', 'crc32', 'bare-nosync', None, 'cpu'),
]


def case_row(where, runs, size):
    """The medians of one case's runs (seconds, local and remote CPU per
    GiB), and each run's seconds, CPU and dirty MiB at its start."""
    gib = size / GIB
    seconds = statistics.median(r[0] for r in runs)
    return {
        'seconds': round(seconds, 3),
        'mib_per_s': round(size / MIB / seconds, 1),
        'cpu_s_per_gib_local': round(
            statistics.median(r[1] for r in runs) / gib, 3),
        'cpu_s_per_gib_remote': round(
            statistics.median(r[2] for r in runs) / gib, 3)
        if where == 'ssh' else None,
        'runs_s': [round(r[0], 3) for r in runs],
        'runs_cpu_s_per_gib': [round(r[1] / gib, 3) for r in runs],
        'runs_dirty_mib_at_start': [round(r[3]) for r in runs]}


def median_run(runs):
    """Seconds and CPU seconds, each the median over ``runs``."""
    return (statistics.median(r[0] for r in runs),
            statistics.median(r[1] for r in runs))


def ratio_row(label, case_runs, base_runs, target, kind):
    """Throughput of the case over its baseline (kind 'cpu': the case's
    CPU over the baseline's): judged on the median of the per-round
    ratios (the two ran in the same round, close together), shown also
    as the ratio of the medians."""
    def ratio(base, case):
        if kind == 'cpu':       # CPU spent: the case's over the base's
            return case[1] / base[1]
        return base[0] / case[0]        # throughput: > 1 when faster
    paired = statistics.median(map(ratio, base_runs, case_runs))
    of_medians = ratio(median_run(base_runs), median_run(case_runs))
    if kind == 'cpu':
        met, shown = None, '-'
    elif kind == 'min':
        met, shown = paired >= target, '>= %.2f' % target
    else:       # 'apart'
        met = abs(1 - paired) <= target
        shown = 'within %d%%' % (target * 100)
    return {'name': label, 'value': round(paired, 3),
            'ratio_of_medians': round(of_medians, 3),
            'target': shown, 'met': met}


def _commit():
    try:
        return subprocess.run(['git', 'rev-parse', 'HEAD'],
                              capture_output=True, text=True,
                              cwd=os.path.dirname(__file__)).stdout.strip()
    except OSError:
        return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--quick', action='store_true',
                        help='256 MiB instead of 2 GiB')
    parser.add_argument('--size-mib', type=int)
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--dir', help='where the files go (default: a '
                                      'temporary directory under /var/tmp)')
    parser.add_argument('--shm-dir', default=SHM,
                        help='tmpfs for the in-memory cases (default: '
                             '%(default)s; empty: skip them)')
    parser.add_argument('--output', default=RESULTS)
    parser.add_argument('--remote-python',
                        default='/usr/bin/python3' if os.path.exists(
                            '/usr/bin/python3') else 'python3',
                        help='interpreter of the far end (Debian\'s, which '
                             'has python3-xxhash)')
    args = parser.parse_args(argv)
    report(args, *measure(args))
    return 0


def run(quick=False):
    """Issue 14's contract: 256 MiB once (quick) or 2 GiB three times
    (median), from a source not in the page cache."""
    args = argparse.Namespace(
        quick=quick, size_mib=256 if quick else 2048,
        repeat=1 if quick else 3, dir=None, shm_dir=SHM,
        output=RESULTS, remote_python='/usr/bin/python3' if os.path.exists(
            '/usr/bin/python3') else 'python3')
    result = report(args, *measure(args), write=False)
    return {'name': 'data_copy',
            'figures': {k: v for k, v in result.items() if k != 'ratios'},
            'ratios': result['ratios'],
            'notes': ['%d run(s) of each case; each round a new order of '
                      'the places, each place\'s cases together in a new '
                      'order; a ratio is the median of its per-round '
                      'ratios; sync() and no writeback in flight before '
                      'every case' % args.repeat,
                      'in-memory (shm) cases: %s' % (
                          'source and destination on %s (tmpfs)' %
                          args.shm_dir if result['shm'] else
                          'skipped (no tmpfs with room for both files)'),
                      'the source is dropped from the page cache before '
                      'each case (posix_fadvise DONTNEED): every case '
                      'reads it from the disk; at most %s of it was '
                      'cached when a case began (fincore)'
                      % result['source_cached_max'],
                      'flush calls of the far end\'s agent in a synced, '
                      'verified 64 MiB copy (strace -f -c): %s; cat > dst '
                      '&& sync dst makes one fsync' % (
                          result['remote_agent_syscalls'] or
                          'not counted (no strace)')]}


def measure(args):
    size = (args.size_mib or (256 if args.quick else 2048)) * MIB
    workdir = tempfile.mkdtemp(prefix='migrator-bench-copy-',
                               dir=args.dir or '/var/tmp')
    sshd = fixtures_ssh.SSHServer()
    sshd.setUp()
    sshd.host.python = args.remote_python
    shmdir = None
    try:
        shmdir = shm_workdir(args.shm_dir, size)
        bench = Bench(size, workdir, sshd, shmdir)
        make_source(bench.src, size)
        if shmdir:
            shutil.copyfile(bench.src, bench.paths['shm'][0])
            drop_from_cache(bench.src)
        samples = {}
        all_cases = cases(bench)
        order = [(where, name) for where, name, _ in all_cases]
        # Warm up ssh and the agent (a short copy, not timed).
        transfer.copy(transfer.LocalFile(bench.src),
                      transfer.RemoteFile(sshd.host, bench.dst),
                      length=min(size, 16 * MIB), sync=False)
        agent_calls = count_agent_syscalls(bench, min(size, 64 * MIB))
        rng = random.Random(14)
        for _ in range(args.repeat):
            for where, name, func in round_order(rng, all_cases):
                samples.setdefault((where, name), []).append(
                    bench.measure(where, func))
    finally:
        sshd.cleanUp()
        shutil.rmtree(workdir, ignore_errors=True)
        if shmdir:
            shutil.rmtree(shmdir, ignore_errors=True)
    known = [c for c in bench.cached if c is not None]
    cached = '%.1f %%' % (100 * max(known)) if known else 'unknown'
    return (size, {key: samples[key] for key in order}, cached, agent_calls,
            bench.settle_s)


def round_order(rng, all_cases):
    """One round's cases: the places (ssh, local, shm) in a new order,
    each place's cases back to back in a new order. A new order each
    round: a neighbour's burst of load hits no case every time; places
    kept together: the two cases a ratio compares run seconds apart, not
    minutes, while the host's cache of the disk drifts."""
    places = {}
    for case in all_cases:
        places.setdefault(case[0], []).append(case)
    groups = list(places.values())
    rng.shuffle(groups)
    order = []
    for group in groups:
        group = list(group)
        rng.shuffle(group)
        order.extend(group)
    return order


def shm_workdir(parent, size):
    """A fresh directory on the tmpfs ``parent`` with room for a source
    and a destination of ``size`` bytes (and 1 GiB to spare), or None."""
    if not parent or not os.path.isdir(parent):
        return None
    if shutil.disk_usage(parent).free < 2 * size + GIB:
        return None
    return tempfile.mkdtemp(prefix='migrator-bench-copy-', dir=parent)


STRACE_WRAPPER = """#!/bin/sh
exec strace -f -c -e trace=%s -o %s %s "$@"
"""
FLUSH_CALLS = ('fsync', 'fdatasync', 'sync_file_range', 'fadvise64', 'sync',
               'syncfs', 'msync')


def count_agent_syscalls(bench, length):
    """Copy ``length`` bytes (synced, verified, as migrator does) with the
    far end's agent run under ``strace -f -c``; returns the counts of the
    flush-type calls it made, or None without strace."""
    strace = shutil.which('strace')
    if not strace:
        return None
    wrapper = os.path.join(bench.workdir, 'python-under-strace')
    out = os.path.join(bench.workdir, 'strace.out')
    with open(wrapper, 'w') as f:
        f.write(STRACE_WRAPPER % (','.join(FLUSH_CALLS + ('write',)),
                                  shlex.quote(out),
                                  shlex.quote(bench.sshd.host.python)))
    os.chmod(wrapper, 0o755)
    host = bench.sshd.host
    python, host.python = host.python, wrapper
    try:
        if os.path.exists(bench.dst):
            os.unlink(bench.dst)
        transfer.copy(transfer.LocalFile(bench.src),
                      transfer.RemoteFile(host, bench.dst), length=length)
    except transfer.TransferError as exc:
        return {'error': str(exc)}
    finally:
        host.python = python
    counts = dict.fromkeys(FLUSH_CALLS, 0)
    counts['write'] = 0
    with open(out) as f:
        for line in f:
            # % time, seconds, usecs/call, calls, [errors], syscall
            words = line.split()
            if len(words) >= 5 and words[-1] in counts:
                counts[words[-1]] = int(words[3])
    counts['bytes'] = length
    return counts


def report(args, size, samples, cached=None, agent_calls=None,
           settle_s=0.0, write=True):
    print('Data copy of %d MiB, median of %d, %d cores, load %s' % (
        size // MIB, args.repeat, os.cpu_count(),
        open('/proc/loadavg').read().split()[0]))
    print('%-6s %-12s %9s %9s %12s %12s' % (
        'where', 'case', 'seconds', 'MiB/s', 'CPU s/GiB', 'remote s/GiB'))
    rows = {}
    for (where, name), runs in samples.items():
        rows['%s %s' % (where, name)] = row = case_row(where, runs, size)
        print('%-6s %-12s %9.2f %9.1f %12.2f %12s' % (
            where, name, row['seconds'], row['mib_per_s'],
            row['cpu_s_per_gib_local'],
            '-' if row['cpu_s_per_gib_remote'] is None
            else '%.2f' % row['cpu_s_per_gib_remote']))
    print()
    print('%-34s %7s %7s %10s %5s' % ('ratio (throughput)', 'value',
                                      'of med.', 'target', 'met'))
    ratios = []
    for label, where, case, base, target, kind in RATIOS:
        if (where, case) not in samples or (where, base) not in samples:
            continue        # the in-memory cases were skipped
        ratios.append(ratio_row(label, samples[(where, case)],
                                samples[(where, base)], target, kind))
        r = ratios[-1]
        print('%-34s %7.3f %7.3f %10s %5s' % (
            label, r['value'], r['ratio_of_medians'], r['target'],
            '-' if r['met'] is None else ('yes' if r['met'] else 'NO')))
    result = {
        'benchmark': 'data_copy', 'commit': _commit(),
        'date': datetime.datetime.now(datetime.timezone.utc).isoformat(),
        'cores': os.cpu_count(),
        'load_average': open('/proc/loadavg').read().split()[:3],
        'size_bytes': size, 'repeat': args.repeat,
        'checksum': transfer.DEFAULT_CHECKSUM,
        'ssh_cipher': transfer.ssh.DEFAULT_CIPHER,
        'remote_python': args.remote_python,
        'source_cached_max': cached,
        'remote_agent_syscalls': agent_calls,
        'shm': 'shm' in {where for where, _ in samples},
        'settle_s': round(settle_s, 1),
        'cases': rows, 'ratios': ratios}
    if agent_calls:
        print('remote agent, %s: %s' % (
            'synced %d MiB copy' % (agent_calls.get('bytes', 0) // MIB),
            ', '.join('%s %s' % kv for kv in sorted(agent_calls.items())
                      if kv[0] != 'bytes')))
    if write:
        os.makedirs(os.path.dirname(args.output), exist_ok=True)
        with open(args.output, 'w') as f:
            json.dump(result, f, indent=2)
            f.write('\n')
        print('written to %s' % args.output)
    return result


if __name__ == '__main__':
    sys.exit(main())
