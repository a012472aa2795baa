"""How fresh the live-migration progress an API reader sees is, and what
it costs (issue 14, item 2), over real processes.

tools/deploy-local.sh (common.Deployment): migrator-api under gunicorn
(2 workers), 2 conductors and 10 simulated computes (2 with --quick) as
processes of their own (the computes started here, see below), on
RabbitMQ (a vhost of its own) and MariaDB, with versioned notifications
on (``messagingv2``, as a deployment that feeds Watcher has them). N
concurrent live migrations (100; 10 with --quick) of 2 GiB guests at
the fake driver's real-time speed (twice that with --quick: ~10 s
each), all at once. The load phase lasts until every migration has
ended (as the poller below sees its status), however long the
conductors take to hand the last ones to their sources (15 s for the
first at full size on a loaded machine). Meanwhile:

* a poller reads every migration's ``memory_processed`` and every
  instance's ``progress`` straight from the cell database every 0.1 s
  and notes when each new value appeared: the progress writes;
* readers (4 clients) read ``GET /servers/{id}/migrations`` (2.80) of
  every migration once a second (twice with --quick, for enough reads),
  as a dashboard refreshes;
* a probe (one client) sends ``GET /servers/{id}`` of a server that is
  not migrating, one request after the other, for a few seconds before
  the migrations (idle) and all through them (under the load).

  age p99        how old the figures a reader gets are: the time from
                 their write (the monitor saves a sample the moment it
                 takes it, so this is the age against the driver's
                 sample) to the read; the poller sees a write up to 0.1 s
                 late, which is added (an upper bound)
  writes/mig/s   progress writes of the migration row per migration per
                 second of running (target), the same per whole cadence
                 window, and those of the instance row (its percent,
                 written when it moved)
  RabbitMQ       per migration per second of running: the notifications
                 published (the depth of the vhost's notification
                 queues, which nothing consumes here) and the AMQP
                 frames the broker received from every process of the
                 deployment above its idle rate (``rabbitmqctl
                 list_connections recv_cnt``)
  GET p99        the probe's, under the load vs idle: the same request
                 from the same client, so their ratio is the load's; the
                 readers' latencies beside, and the API's CPU (gunicorn
                 master and workers) per GET in each phase
  monitor CPU    CPU seconds of the compute processes (where the monitors
                 run) per migration-second

Beside it, Nova's cadence (progress_save_interval = 5) under the same
load: the computes are started here, the odd ones saving every 1 s and
the even ones every 5 s, and a migration counts for its source's
cadence (one deployment instead of two: half the start-up time, and
both cadences see the same moments of a shared machine).

Targets: age p99 <= cadence + 0.5 s; migration-row writes per migration
per second <= 1 / cadence; GET p99 under load <= 2 x idle.

A run that measured nothing fails instead of reporting an age of 0 and
0 writes as met: no migration seen running, or a cadence with no
running seconds or no read of a running migration. The error gives the
statuses each migration went through (``status_paths``, also in the
figures) and a copy of the deployment's logs, kept for such a run.
``MIGRATOR_BENCH_FRESHNESS_SIZE=MIGRATIONSxCOMPUTES`` (e.g. ``40x4``)
runs another size.

    python -m benchmarks.bench_progress_freshness [--quick]
"""
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import sqlalchemy as sa

from benchmarks import common
from migrator.objects import migration as migration_obj

NAME = 'progress_freshness'
POLL = 0.1
# A 2 GiB guest's migration at time_scale 1 (s), and how many of a
# source's run at once (max_concurrent_live_migrations = 0: 5).
MIGRATION_S = 20
AT_ONCE = 5


def load_timeout(migrations, computes, time_scale):
    """Seconds the migrations may take to end, from the first request:
    three times their waves' transfer time, plus 2 minutes for the
    conductors' pre-checks on a busy machine. A migration left behind
    (a hand-off a source could not record: "Too many connections" on a
    shared MariaDB) then ends the load instead of holding it for ever;
    the figures say how many were left (unfinished_at_end)."""
    waves = math.ceil(migrations / computes / AT_ONCE)
    return 120 + 3 * waves * MIGRATION_S / time_scale


def conf(time_scale):
    # Every migration at once (the default runs one per source at a
    # time), notifications to RabbitMQ. Big hosts: a migration holds
    # room on its source and its destination, and 100 at once on hosts
    # of the default size (32 GiB, 500 GB) left 2 to 6 in 10 without a
    # destination ("lacks room: disk_gb").
    return ('[compute]\nmax_concurrent_live_migrations = 0\n'
            '[fake_driver]\ntime_scale = %s\nvcpus = 64\n'
            'memory_mb = 131072\nlocal_gb = 4000\n'
            '[oslo_messaging_notifications]\ndriver = messagingv2\n'
            % time_scale)


def boot_spread(port, count, computes):
    """``count`` servers of 2 GiB, server i on compute (i mod computes) +
    1 (2.74 ``host``), so that both cadences have their half; their ids
    once all are ACTIVE."""
    by_status, _wall = common.load(
        port, lambda i: ('POST', '/servers', {'server': {
            'name': 'fresh%d' % i, 'flavorRef': '2', 'imageRef': 'any',
            'networks': 'none', 'host': 'compute%d' % (i % computes + 1)}},
            '2.74'), count, 8)
    if set(by_status) != {202}:
        raise RuntimeError('boot answers %s' % {
            k: len(v) for k, v in by_status.items()})
    client = common.Client(port)
    ids = []

    def all_active():
        _st, _s, body = client.request('GET', '/servers/detail?limit=1000')
        states = [s['status'] for s in body['servers']]
        if 'ERROR' in states:
            raise RuntimeError('a server went to ERROR while booting')
        ids[:] = [s['id'] for s in body['servers']]
        return states.count('ACTIVE') >= count
    common.control_plane.wait_for(all_active, 600, 0.5,
                                  '%d servers ACTIVE' % count)
    return ids


def get_migration(client, sid):
    status, seconds, body = client.request(
        'GET', '/servers/%s/migrations' % sid, version='2.80')
    migs = (body or {}).get('migrations') or []
    # Only a running migration's figures: the final save at the end is
    # one more, outside the cadence.
    running = [m for m in migs if m.get('status') in (
        'running', 'running (post-copy)')]
    return seconds, (running[0].get('memory_processed_bytes') if running
                     else None), bool(migs)


def idle_gets(port, sid, count):
    client = common.Client(port)
    return [client.request('GET', '/servers/%s' % sid)[1]
            for _ in range(count)]


def broker_frames(vhost):
    """AMQP frames the broker has received on ``vhost``'s connections
    (None without rabbitmqctl or a vhost of our own)."""
    ctl = shutil.which('rabbitmqctl')
    if not ctl or not vhost:
        return None
    out = subprocess.run([ctl, 'list_connections', '-q', 'vhost',
                          'recv_cnt'], capture_output=True, text=True,
                         timeout=120).stdout
    total = 0
    for line in out.splitlines():
        parts = line.split('\t')
        if len(parts) == 2 and parts[0] == vhost and parts[1].isdigit():
            total += int(parts[1])
    return total


def notifications_queued(vhost):
    ctl = shutil.which('rabbitmqctl')
    if not ctl or not vhost:
        return None
    out = subprocess.run([ctl, 'list_queues', '-q', '-p', vhost, 'name',
                          'messages'], capture_output=True, text=True,
                         timeout=120).stdout
    total = 0
    for line in out.splitlines():
        parts = line.split('\t')
        if len(parts) == 2 and 'notifications' in parts[0] and \
                parts[1].isdigit():
            total += int(parts[1])
    return total


class WritePoller(threading.Thread):
    """Reads every migration's memory_processed and every instance's
    progress from the cell database each POLL s; ``written[(server,
    value)]`` is when a migration's value was first seen, ``writes`` the
    count of changes seen (migration rows and instance rows)."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        self.stop = threading.Event()
        self.written = {}
        self.migration_writes = {}
        self.instance_writes = {}
        self.running = {}       # server: (first seen running, last seen)
        self.statuses = {}      # server: the statuses seen, in order
        self.first_running = None

    def unfinished(self, ids):
        """How many of the migrations of servers ``ids`` have not ended
        (not seen yet, or last seen in a status not final)."""
        return sum(1 for sid in ids
                   if not self.statuses.get(sid) or
                   self.statuses[sid][-1] in migration_obj.NOT_FINISHED)

    def run(self):
        last_m, last_i = {}, {}
        with self.engine.connect() as conn:
            while not self.stop.is_set():
                now = time.perf_counter()
                rows = conn.execute(sa.text(
                    "SELECT instance_uuid, memory_processed, status FROM "
                    "migrations WHERE migration_type = 'live-migration' "
                    "AND deleted = 0")).all()
                inst = conn.execute(sa.text(
                    'SELECT uuid, progress FROM instances '
                    'WHERE deleted = 0')).all()
                conn.rollback()
                for sid, processed, status in rows:
                    seen = self.statuses.setdefault(sid, [])
                    if not seen or seen[-1] != status:
                        seen.append(status)
                    if status not in ('running', 'running (post-copy)'):
                        continue
                    if self.first_running is None:
                        self.first_running = now
                    first, _last = self.running.get(sid, (now, now))
                    self.running[sid] = (first, now)
                    if sid in last_m and last_m[sid] != processed:
                        self.migration_writes[sid] = \
                            self.migration_writes.get(sid, 0) + 1
                    if last_m.get(sid) != processed:
                        self.written.setdefault((sid, processed), now)
                    last_m[sid] = processed
                for sid, progress in inst:
                    if sid in self.running and sid in last_i and \
                            last_i[sid] != progress:
                        self.instance_writes[sid] = \
                            self.instance_writes.get(sid, 0) + 1
                    last_i[sid] = progress
                self.stop.wait(max(0.0, POLL - (time.perf_counter() - now)))
        self.engine.dispose()


CADENCES = (1.0, 5.0)


def cadence_of(index):
    """Compute n (from 1) saves every CADENCES[(n - 1) % 2] s: odd ones
    at migrator's 1 s, even ones at Nova's 5 s."""
    return CADENCES[(index - 1) % len(CADENCES)]


def start_computes(dep, computes, time_scale, procs):
    """migrator-compute compute1..N as deploy-local.sh starts them (its
    config, a host file, a pid file, a log), each with the save cadence
    of ``cadence_of``; deploy-local.sh stops them (MIGRATOR_COMPUTES).
    The host file repeats ``conf()``: the computes need nothing else of
    the deployment's configuration than its services'. Their Popen
    objects go to ``procs``."""
    for n in range(1, computes + 1):
        name = 'compute%d' % n
        host_conf = os.path.join(dep.dir, name + '.conf')
        with open(host_conf, 'w') as f:
            f.write('[DEFAULT]\nhost = %s\n[live_migration]\n'
                    'progress_save_interval = %s\n%s' % (
                        name, cadence_of(n), conf(time_scale)))
        with open(os.path.join(dep.dir, 'log', name + '.log'), 'a') as log:
            proc = subprocess.Popen(
                [os.path.join(common.BIN, 'migrator-compute'),
                 '--config-file', dep.conf, '--config-file', host_conf],
                stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
        procs.append(proc)
        with open(os.path.join(dep.dir, 'run', name + '.pid'), 'w') as f:
            f.write(str(proc.pid))
    dep.env['MIGRATOR_COMPUTES'] = str(computes)
    client = common.Client(dep.port)

    def all_up():
        _st, _s, body = client.request('GET', '/os-services')
        return sum(1 for s in (body or {}).get('services', [])
                   if s.get('binary') == 'migrator-compute' and
                   s.get('state') == 'up') >= computes
    common.control_plane.wait_for(all_up, 300, 1.0,
                                  '%d computes up' % computes)
    subprocess.run([os.path.join(common.BIN, 'migrator-manage'),
                    '--config-file', dep.conf, 'cell_v2', 'discover_hosts'],
                   check=True, capture_output=True, timeout=300)


def stop_computes(dep, procs):
    """The computes started here first, all at once (SIGTERM, SIGKILL
    after 40 s), and reaped here; then deploy-local.sh stop for the rest.
    deploy-local.sh waits, one service after the other, for a pid to
    vanish, and a child of ours it signalled stayed a zombie until we
    waited for it: each compute cost the stop its whole 40 s grace
    (96 s of a 169 s quick run)."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 40
    for proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for n in range(1, len(procs) + 1):
        try:
            os.unlink(os.path.join(dep.dir, 'run', 'compute%d.pid' % n))
        except OSError:
            pass
    kept = tempfile.mkdtemp(prefix='migrator-bench-freshness-logs-')
    try:
        shutil.copytree(os.path.join(dep.dir, 'log'), kept,
                        dirs_exist_ok=True)
    except OSError:
        pass    # no logs yet (it failed to start): keep the first error
    try:
        dep.stop()
    except RuntimeError:
        pass
    return kept


def server_hosts(port):
    client = common.Client(port)
    _st, _s, body = client.request('GET', '/servers/detail?limit=1000',
                                   version='2.80')
    return {s['id']: s.get('OS-EXT-SRV-ATTR:host') for s in body['servers']}


def api_cpu(dep):
    """CPU seconds of the API: the gunicorn master and its workers."""
    master = dep.pid('api')
    total = 0.0
    for pid in [master] + common.descendants(master):
        try:
            total += common.cpu_seconds(pid)
        except OSError:
            pass
    return total


# MIGRATOR_BENCH_FRESHNESS_PIN=1: the API's processes and the probe on
# CPU 0, the simulated computes, the conductors and the readers on the
# other CPUs (the database and the broker where the kernel puts them):
# the API under the load with a core of its own, as on a machine apart
# from the computes. An experiment beside the shared-core run.
API_CPUS = {0}


def pinned(environ=os.environ):
    return environ.get('MIGRATOR_BENCH_FRESHNESS_PIN') == '1'


def pin(pid, cpus):
    """Every thread of ``pid`` on ``cpus`` (threads started later take
    their creator's)."""
    try:
        threads = os.listdir('/proc/%d/task' % pid)
    except OSError:
        return
    for tid in threads:
        try:
            os.sched_setaffinity(int(tid), cpus)
        except OSError:
            pass    # gone meanwhile


def pin_deployment(dep, procs, conductors):
    """Pin as above; gives back this runner's CPUs before, to restore."""
    before = os.sched_getaffinity(0)
    rest = set(range(os.cpu_count())) - API_CPUS
    master = dep.pid('api')
    for pid in [master] + common.descendants(master):
        pin(pid, API_CPUS)
    for pid in [p.pid for p in procs] + [
            dep.pid('conductor%d' % n) for n in range(1, conductors + 1)]:
        pin(pid, rest)
    pin(os.getpid(), rest)      # this runner: readers, poller, requests
    return before


class Probe(threading.Thread):
    """One keep-alive client sending ``GET /servers/{id}`` (2.80) of a
    server that is not migrating, one request after the other, until
    stopped: the same request from the same client idle and under the
    load, so that their ratio is the load's alone."""

    def __init__(self, port, sid):
        super().__init__(daemon=True)
        self.client = common.Client(port)
        self.sid = sid
        self.stop = threading.Event()
        self.times = []

    def run(self):
        if pinned():
            os.sched_setaffinity(0, API_CPUS)   # this thread only
        while not self.stop.is_set():
            self.times.append(self.client.request(
                'GET', '/servers/%s' % self.sid)[1])


def probe_for(port, sid, seconds):
    probe = Probe(port, sid)
    probe.start()
    time.sleep(seconds)
    probe.stop.set()
    probe.join(60)
    return probe.times


def measure(migrations, computes, time_scale, readers=4, idle_s=5.0,
            read_period=1.0):
    """One deployment, half its computes saving every second, half every
    5 s, the same load on both: {cadence: figures}, and the figures
    they share."""
    dep = common.Deployment(api_workers=2, conductors=2, computes=0,
                            extra_conf=conf(time_scale))
    procs = []
    runner_cpus = None
    failed = False
    # The run's shared deployment (accept_latency's and scale_out's, before
    # this one) is not needed after them: left up, its connections and
    # this one's passed MariaDB's default 151 (a boot failed on "Too many
    # connections") and its services shared the cores with this load.
    common.stop_shared()
    try:
        started_at = time.perf_counter()
        dep.start()
        start_computes(dep, computes, time_scale, procs)
        if pinned():
            runner_cpus = pin_deployment(dep, procs, conductors=2)
        startup = time.perf_counter() - started_at
        port = dep.port
        # One server more than migrations: the probe's, never migrated.
        booted_at = time.perf_counter()
        ids = boot_spread(port, migrations + 1, computes)
        boot_s = time.perf_counter() - booted_at
        probe_sid, ids = ids[-1], ids[:-1]
        hosts = server_hosts(port)
        cadence = {sid: cadence_of(int(hosts[sid][len('compute'):]))
                   for sid in ids}
        probe_for(port, probe_sid, 0.5)         # warm both workers
        # Idle: the probe alone; meanwhile the broker's idle rate
        # (heartbeats, service reports), to take off the frames counted
        # under the load.
        idle_frames0, idle_t0 = broker_frames(dep.vhost), time.perf_counter()
        api0 = api_cpu(dep)
        idle = probe_for(port, probe_sid, idle_s)
        api_idle = api_cpu(dep) - api0
        idle_frames1, idle_t1 = broker_frames(dep.vhost), time.perf_counter()
        notes0 = notifications_queued(dep.vhost)
        compute_pids = {n: dep.pid('compute%d' % n)
                        for n in range(1, computes + 1)}
        cpu0 = {n: common.cpu_seconds(p) for n, p in compute_pids.items()}
        poller = WritePoller('%s/%s' % (common.MYSQL, dep.prefix))
        poller.start()
        frames0, t0 = broker_frames(dep.vhost), time.perf_counter()
        api0 = api_cpu(dep)
        started = time.perf_counter()
        probe = Probe(port, probe_sid)
        by_status, _wall = common.load(
            port, lambda i: ('POST', '/servers/%s/action' % ids[i], {
                'os-migrateLive': {'host': None, 'block_migration': 'auto'}},
                '2.34'), migrations, 16)
        if set(by_status) != {202}:
            raise RuntimeError('live-migrate answers %s' % {
                k: len(v) for k, v in by_status.items()})
        probe.start()
        reads, get_times = [], []
        lock = threading.Lock()
        ended = threading.Event()

        def reader(mine):
            # Each migration read once per read_period (a dashboard's
            # refresh), not as fast as the API answers: the readers
            # measure, the migrations are the load. Until every migration
            # has ended: at full size the conductors take tens of seconds
            # to hand the last ones to their sources, and a reader that
            # stopped when it saw none running yet measured nothing.
            client = common.Client(port)
            while not ended.is_set():
                sweep = time.perf_counter()
                for sid in mine:
                    seconds, processed, _present = get_migration(client,
                                                                 sid)
                    now = time.perf_counter()
                    with lock:
                        get_times.append(seconds)
                        if processed is not None:
                            reads.append((sid, processed, now))
                ended.wait(max(0.0, read_period -
                               (time.perf_counter() - sweep)))

        threads = [threading.Thread(target=reader, args=(ids[i::readers],),
                                    daemon=True)
                   for i in range(readers)]
        for t in threads:
            t.start()
        try:
            common.control_plane.wait_for(
                lambda: not poller.unfinished(ids),
                load_timeout(migrations, computes, time_scale), 0.5,
                'every live migration to end')
        except AssertionError:
            pass    # counted below (unfinished_at_end), in the notes
        finally:
            ended.set()
            for t in threads:
                t.join(120)
        unfinished = poller.unfinished(ids)
        probe.stop.set()
        probe.join(60)
        load_s = time.perf_counter() - started
        api_load = api_cpu(dep) - api0
        poller.stop.set()
        poller.join(30)
        frames1, t1 = broker_frames(dep.vhost), time.perf_counter()
        notes1 = notifications_queued(dep.vhost)
        cpu = {n: common.cpu_seconds(p) - cpu0[n]
               for n, p in compute_pids.items()}
        load_avg = [round(x, 2) for x in os.getloadavg()]
        settled_at = time.perf_counter()
        # A migration left behind keeps its server's task: no wait.
        common.settle(port, timeout=30 if unfinished else 180)
        settle_s = time.perf_counter() - settled_at
    except BaseException:
        failed = True
        raise
    finally:
        stopped_at = time.perf_counter()
        if runner_cpus:     # the benchmarks after this one run unpinned
            pin(os.getpid(), runner_cpus)
        # The logs outlive the deployment until the run is known good.
        kept = stop_computes(dep, procs)
        stop_s = time.perf_counter() - stopped_at
        if failed:
            print('bench_progress_freshness failed; the deployment logs: %s'
                  % kept, file=sys.stderr, flush=True)
    all_seconds = sum(last - first
                      for first, last in poller.running.values())
    # The statuses each migration went through, as the poller saw them
    # (counted per path): how the run went, and why when it measured
    # nothing.
    paths = {}
    for sid in ids:
        path = ' > '.join(poller.statuses.get(sid) or ['never seen'])
        paths[path] = paths.get(path, 0) + 1
    if not all_seconds:
        # Nothing measured is a failure, not a met target (a full-size
        # run once reported age 0 and 0 writes with no migration run).
        raise RuntimeError('no live migration was seen running (%d '
                           'migrations asked; the statuses the poller saw, '
                           'per migration: %s); the deployment logs: %s'
                           % (migrations, paths, kept))
    per_all = (lambda n: round(n / all_seconds, 3) if all_seconds and
               n is not None else None)
    frames = None
    if None not in (frames0, frames1, idle_frames0, idle_frames1):
        idle_rate = (idle_frames1 - idle_frames0) / (idle_t1 - idle_t0)
        frames = frames1 - frames0 - idle_rate * (t1 - t0)
    notes = notes1 - notes0 if None not in (notes0, notes1) else None
    load_gets = len(probe.times) + len(get_times)
    shared = {
        'migrations': migrations, 'computes': computes,
        'deployment': 'deploy-local.sh: gunicorn API (2 workers x 8 '
                      'threads), 2 conductors, RabbitMQ, MariaDB; %d '
                      'computes started here, odd ones saving every 1 s, '
                      'even ones every 5 s' % computes,
        # MIGRATOR_BENCH_FRESHNESS_PIN=1: the API had CPU 0 to itself.
        'api_on_its_own_cpu': pinned(),
        'startup_s': round(startup, 1),
        # Where the rest of the run goes (the load phase is load_s).
        'boot_s': round(boot_s, 1),
        'settle_s': round(settle_s, 1),
        'stop_s': round(stop_s, 1),
        'time_scale': time_scale,
        'reads': len(reads),
        'readers': readers, 'read_period_s': read_period,
        'load_s': round(load_s, 1),
        'load_average_end_of_load': load_avg,
        'migration_seconds_running': round(all_seconds, 1),
        # From the first live-migrate request to the first migration the
        # poller saw running, and the statuses each went through.
        'first_running_after_s': round(poller.first_running - started, 1),
        'status_paths': paths,
        'unfinished_at_end': unfinished,
        'notifications_per_migration_s': per_all(notes),
        'amqp_frames_per_migration_s': per_all(frames),
        # The probe: the same GET /servers/{id} from one client.
        'get_idle': common.percentiles(idle),
        'get_under_load': common.percentiles(probe.times),
        # The readers' GET /servers/{id}/migrations under the load.
        'reader_gets_under_load': common.percentiles(get_times),
        'api_gets_per_s_idle': round(len(idle) / idle_s, 1),
        'api_gets_per_s_under_load': round(load_gets / load_s, 1),
        'api_cpu_ms_per_get_idle': round(
            1000 * api_idle / len(idle), 2) if idle else None,
        'api_cpu_ms_per_get_under_load': round(
            1000 * api_load / load_gets, 2) if load_gets else None}
    by_cadence = {}
    for every in CADENCES:
        mine = {sid for sid in ids if cadence[sid] == every}
        seconds = sum(last - first for sid, (first, last)
                      in poller.running.items() if sid in mine)
        # A read's age: from the poller's first sight of the value (+ its
        # period, an upper bound) to the read; the first value of a
        # migration (before any sample) is left out.
        ages = []
        for sid, processed, when in reads:
            seen = poller.written.get((sid, processed))
            if sid in mine and seen is not None and processed:
                ages.append(max(0.0, when - seen) + POLL)
        per = (lambda n: round(n / seconds, 3) if seconds else None)
        by_cadence[every] = {
            'progress_save_interval': every,
            'migrations': len(mine),
            'migration_seconds_running': round(seconds, 1),
            'age': common.percentiles(ages),
            'db_writes_per_migration_s': per(sum(
                poller.migration_writes.get(sid, 0) for sid in mine)),
            # The same writes per whole cadence window a migration ran
            # in (a running phase of T s spans ceil(T / cadence)
            # windows): at most one write per window is the saver's rule.
            'db_writes_per_cadence_window': round(sum(
                poller.migration_writes.get(sid, 0) for sid in mine) /
                max(1, sum(math.ceil((last - first) / every - 1e-9)
                           for sid, (first, last) in poller.running.items()
                           if sid in mine)), 3),
            'db_instance_writes_per_migration_s': per(sum(
                poller.instance_writes.get(sid, 0) for sid in mine)),
            # The computes of this cadence run the monitors of its
            # migrations (and the destination side of some others').
            'compute_cpu_s_per_migration_s': per(sum(
                c for n, c in cpu.items() if cadence_of(n) == every)),
        }
        if not seconds or not ages:
            # A cadence that measured nothing has no figure to meet its
            # target with (its age and writes would read 0).
            raise RuntimeError(
                'cadence %s s measured nothing: %.1f migration-seconds '
                'running, %d reads of a running migration (statuses: %s); '
                'the deployment logs: %s' % (every, seconds, len(ages),
                                             paths, kept))
    shutil.rmtree(kept, ignore_errors=True)
    return by_cadence, shared


def size(migrations, computes, environ=os.environ):
    """(migrations, computes): the given ones, or those of
    MIGRATOR_BENCH_FRESHNESS_SIZE=MIGRATIONSxCOMPUTES (e.g. 40x4), to look
    into a size without the whole run (same cadences and time scale)."""
    value = environ.get('MIGRATOR_BENCH_FRESHNESS_SIZE')
    if not value:
        return migrations, computes
    try:
        migrations, computes = (int(x) for x in value.lower().split('x'))
    except ValueError:
        raise ValueError('MIGRATOR_BENCH_FRESHNESS_SIZE=%r: expected '
                         'MIGRATIONSxCOMPUTES, e.g. 40x4' % value)
    if migrations < 1 or computes < 2:
        # Both cadences need a compute (odd: 1 s, even: 5 s).
        raise ValueError('MIGRATOR_BENCH_FRESHNESS_SIZE=%r: at least 1 '
                         'migration and 2 computes' % value)
    return migrations, computes


def run(quick=False):
    if quick:
        # One compute per cadence, 10 migrations of ~10 s (time_scale 2):
        # still two 5 s saves each; a third of the processes to start.
        # Each migration read twice a second: enough reads for a p99.
        migrations, computes, time_scale, idle_s = 10, 2, 2, 3.0
        read_period = 0.5
    else:
        # Real time: a 2 GiB guest takes ~20 s over the simulated 1 Gbit/s
        # link, long enough for several 5 s saves. 100 reads/s in all.
        migrations, computes, time_scale, idle_s = 100, 10, 1, 5.0
        read_period = 1.0
    migrations, computes = size(migrations, computes)
    by_cadence, shared = measure(migrations, computes, time_scale,
                                 idle_s=idle_s, read_period=read_period)
    # A migration that ended in error is no load: say how many completed.
    completed = sum(n for path, n in shared['status_paths'].items()
                    if path.endswith('completed'))
    ratios = [common.ratio('migrations completed / asked',
                           round(completed / migrations, 3), '= 1',
                           completed == migrations)]
    get = shared['get_under_load']['p99_ms'] / shared['get_idle']['p99_ms']
    ratios.append(common.ratio('GET p99 under load / idle', get, '<= 2',
                               get <= 2))
    for key, what in (
            ('notifications_per_migration_s',
             'RabbitMQ notifications per migration per s'),
            ('amqp_frames_per_migration_s',
             'AMQP frames per migration per s'),
            ('api_cpu_ms_per_get_idle', 'API CPU ms per GET, idle'),
            ('api_cpu_ms_per_get_under_load',
             'API CPU ms per GET, under the load')):
        if shared[key] is not None:
            ratios.append(common.ratio(what, shared[key], 'report', True))
    for every, fig in by_cadence.items():
        label = '1 s' if every == 1.0 else 'Nova 5 s'
        age = (fig['age']['p99_ms'] or 0) / 1000.0
        ratios.append(common.ratio(
            'cadence %s: age p99 (s) vs cadence + 0.5' % label, age,
            '<= %.1f' % (every + 0.5), age <= every + 0.5))
        # The migration row's progress writes; the instance's percent is
        # written only when it moved (at most as often), reported beside.
        rate = fig['db_writes_per_migration_s'] or 0
        ratios.append(common.ratio(
            'cadence %s: DB writes per migration per s' % label, rate,
            '<= %.2f' % (1 / every), rate <= 1 / every + 1e-9))
        ratios.append(common.ratio(
            'cadence %s: instance-row writes per migration per s' % label,
            fig['db_instance_writes_per_migration_s'] or 0, 'report',
            True))
        ratios.append(common.ratio(
            'cadence %s: compute CPU s per migration-s' % label,
            fig['compute_cpu_s_per_migration_s'] or 0, 'report', True))
    return {'name': NAME,
            'figures': {'cadence_1s': by_cadence[1.0],
                        'cadence_5s_nova': by_cadence[5.0],
                        'shared': shared},
            'ratios': ratios,
            'notes': ([
                '%d migrations had not ended when the load ended (after '
                '%.0f s); the statuses each went through: %s' % (
                    shared['unfinished_at_end'], shared['load_s'],
                    shared['status_paths'])]
                if shared['unfinished_at_end'] else []) + [
                'real processes (tools/deploy-local.sh) on RabbitMQ and '
                'MariaDB; %d migrations on %d computes%s' % (
                    migrations, computes,
                    ' (quick: fewer than the issue\'s 100 on 10)'
                    if quick else ''),
                'both cadences in one run under the same load: the odd '
                'computes save every 1 s, the even ones every 5 s (Nova); '
                'a migration has its source\'s cadence',
                'DB writes: changes of the migration rows\' '
                'memory_processed the 0.1 s poller saw (the target); the '
                'instance rows\' percent changes reported beside',
                'RabbitMQ (both cadences together): notifications counted '
                'from the depth of the notification queues; frames from '
                'rabbitmqctl list_connections recv_cnt, minus the idle '
                'rate',
                'DB writes counted: changes of memory_processed while the '
                'row is running, after the poller first saw it running; '
                'the status running is written with the first sample in '
                'one write (so that write is not counted: it is the '
                'status change any migration makes), then one save per '
                'cadence; the end figures are saved once more as the '
                'migration ends (counted when the poller sees them before '
                'the next status); db_writes_per_cadence_window divides '
                'by the whole cadence windows each running phase spans',
                'GET p99: a probe (one client, GET /servers/{id} at 2.80 '
                'of a server not migrating, one request after the other) '
                'for %.0f s idle and all through the load; the readers '
                '(%d clients) read each migration once per %.1f s; their '
                'GET /servers/{id}/migrations latencies are reported '
                'beside (reader_gets_under_load); API CPU per GET: the '
                'gunicorn master and workers over all GETs of a phase' % (
                    idle_s, shared['readers'], shared['read_period_s'])]}


def main(argv=None):
    return common.main(run, __doc__, argv)


if __name__ == '__main__':
    sys.exit(main())
