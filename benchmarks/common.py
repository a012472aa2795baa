"""What the benchmarks share: the machine's description, a keep-alive
HTTP load generator, percentiles, ratios, and the two ways of running
migrator as real processes (``migrator-all``, and tools/deploy-local.sh:
the API under gunicorn, conductors and computes on RabbitMQ and MariaDB).

``deployment(shared=True, ...)`` lets benchmarks that need the same
tools/deploy-local.sh topology use one deployment in a run instead of
starting and stopping one each (tens of seconds each way); each gets it
idle and empty: no server, no task in flight, every service up.
"""
import argparse
import atexit
import contextlib
import datetime
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

from migrator.tests.functional import control_plane

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, 'benchmarks', 'results')
BIN = os.path.dirname(sys.executable)
TOKEN = 'admin:admin'
RABBIT = os.environ.get('MIGRATOR_TEST_RABBIT_URL',
                        'rabbit://guest:guest@127.0.0.1:5672/')
MYSQL = 'mysql+pymysql://root@127.0.0.1:3306'

# The fake driver 10 x faster than real time, samples and saves as the
# functional tests take them: migrations end in seconds. Hosts four times
# the default size (256 vCPUs and 128 m1.tiny-sized slots of memory
# each): an accepted migration claims room on its destination until it
# ends, and a load answered at once can leave every server migrating;
# the benchmarks time the answers, not a full cloud's "no valid host"
# (which, since claims are atomic, is what a host with no room left
# answers instead of being overfilled).
FAST_CONF = """
[fake_driver]
time_scale = 10
vcpus = 64
memory_mb = 131072
"""


def machine():
    """Commit, date, cores and load average, for every result."""
    try:
        commit = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=ROOT,
                                capture_output=True, text=True).stdout
    except OSError:
        commit = ''
    return {'commit': commit.strip() or None,
            'date': datetime.datetime.now(
                datetime.timezone.utc).isoformat(timespec='seconds'),
            'cores': os.cpu_count(),
            'load_average': [round(x, 2) for x in os.getloadavg()]}


def ratio(name, value, target, met):
    return {'name': name, 'value': round(value, 3), 'target': target,
            'met': bool(met)}


def write_result(result, path=None, **extra):
    """Write ``result`` (the run(quick) contract) with the machine's
    commit, date, cores and load average to ``path`` (default
    results/<name>.json); ``extra`` adds keys (quick, seconds)."""
    record = dict(machine())
    record.update(extra)
    record.update(result)
    path = path or os.path.join(RESULTS, '%s.json' % result['name'])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(record, f, indent=2, sort_keys=True, default=str)
        f.write('\n')
    return path


def main(run, doc, argv=None):
    """The command line of a benchmark module: ``[--quick]``, then its
    ``run(quick)`` result as JSON on stdout."""
    parser = argparse.ArgumentParser(description=doc.split('\n')[0])
    parser.add_argument('--quick', action='store_true')
    args = parser.parse_args(argv)
    print(json.dumps(run(args.quick), indent=2))
    return 0


def print_ratios(result):
    """Each ratio of ``result`` beside its target, one per line."""
    print('%-58s %10s %12s %s' % ('ratio', 'value', 'target', 'met'))
    for r in result['ratios']:
        print('%-58s %10s %12s %s' % (r['name'], r['value'], r['target'],
                                      'yes' if r['met'] else 'NO'))


def percentiles(seconds):
    """p50/p95/p99 in ms of a list of durations in seconds."""
    if not seconds:
        return {'n': 0, 'p50_ms': None, 'p95_ms': None, 'p99_ms': None}
    ordered = sorted(seconds)

    def pick(q):
        return round(ordered[min(len(ordered) - 1,
                                 int(q * len(ordered)))] * 1000, 2)
    return {'n': len(ordered),
            'p50_ms': round(statistics.median(ordered) * 1000, 2),
            'p95_ms': pick(0.95), 'p99_ms': pick(0.99)}


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def rss_kib(pid):
    """Resident set size of ``pid`` and its descendants, in KiB."""
    total = 0
    for p in [pid] + descendants(pid):
        try:
            with open('/proc/%d/status' % p) as f:
                for line in f:
                    if line.startswith('VmRSS:'):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def descendants(pid):
    out = subprocess.run(['pgrep', '-P', str(pid)], capture_output=True,
                         text=True).stdout.split()
    kids = [int(p) for p in out]
    return kids + [g for k in kids for g in descendants(k)]


def cpu_seconds(pid):
    """User+system CPU seconds of ``pid`` (live threads included)."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def cpu_seconds_of(pids):
    """CPU seconds of ``pids`` together; a process that has exited
    counts nothing."""
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds(pid)
        except OSError:
            pass
    return total


# -- HTTP ---------------------------------------------------------------------
class Client:
    """One keep-alive connection to the compute API."""

    def __init__(self, port, host='127.0.0.1'):
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=120)

    def request(self, method, path, body=None, version='2.80'):
        """(status, seconds, parsed body or None)."""
        headers = {'X-Auth-Token': TOKEN,
                   'OpenStack-API-Version': 'compute %s' % version}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers['Content-Type'] = 'application/json'
        for attempt in (1, 2):
            start = time.perf_counter()
            try:
                self.conn.request(method, '/v2.1' + path, data, headers)
                resp = self.conn.getresponse()
                text = resp.read()
                break
            except (http.client.HTTPException, OSError):
                # The server closed the keep-alive connection: reconnect.
                self.conn.close()
                self.conn = http.client.HTTPConnection(
                    self.host, self.port, timeout=120)
                if attempt == 2:
                    raise
        seconds = time.perf_counter() - start
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        return resp.status, seconds, parsed

    def close(self):
        self.conn.close()


def load(port, make_request, total, concurrency):
    """Send ``total`` requests from ``concurrency`` threads, each with its
    own keep-alive connection; ``make_request(i)`` gives request i as
    (method, path, body, version). Returns ({status: [seconds]}, wall
    seconds)."""
    by_status = {}
    lock = threading.Lock()
    counter = iter(range(total))

    def worker():
        client = Client(port)
        mine = {}
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            status, seconds, _ = client.request(*make_request(i))
            mine.setdefault(status, []).append(seconds)
        client.close()
        with lock:
            for status, values in mine.items():
                by_status.setdefault(status, []).extend(values)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return by_status, time.perf_counter() - start


def wait_http(port, timeout=120, path='/'):
    def up():
        try:
            return Client(port).request('GET', path)[0] < 500
        except OSError:
            return False
    return control_plane.wait_for(up, timeout, 0.1,
                                  'the API on port %d' % port)


def boot_servers(port, count, concurrency=8, flavor='1'):
    """Create ``count`` servers, wait until all are ACTIVE; their ids."""
    ids = []
    lock = threading.Lock()

    def create(i):
        return ('POST', '/servers', {'server': {
            'name': 'bench%d' % i, 'flavorRef': flavor, 'imageRef': 'any',
            'networks': 'none'}}, '2.37')

    client = Client(port)
    todo = list(range(count))

    def worker():
        c = Client(port)
        while True:
            with lock:
                if not todo:
                    break
                i = todo.pop()
            status, _s, body = c.request(*create(i))
            if status != 202:
                raise RuntimeError('boot: %s %s' % (status, body))
            with lock:
                ids.append(body['server']['id'])
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    mine = set(ids)

    def none_building():
        # Only the servers still building (or failed) are listed: a
        # poll of every server in detail costs the API CPU that grows
        # with them, taken from the builds it waits for (migrator-all
        # is one process).
        _st, _s, body = client.request(
            'GET', '/servers/detail?status=BUILD&status=ERROR&limit=1000')
        states = [s['status'] for s in body['servers'] if s['id'] in mine]
        if 'ERROR' in states:
            raise RuntimeError('a server went to ERROR while booting')
        return not states
    control_plane.wait_for(none_building, 600, 0.5,
                           '%d servers ACTIVE' % count)
    # Only the servers booted here: others may be listed too.
    _st, _s, body = client.request('GET', '/servers/detail?limit=1000')
    active = [s['id'] for s in body['servers']
              if s['id'] in mine and s['status'] == 'ACTIVE']
    if len(active) < count:
        raise RuntimeError('%d of %d servers ACTIVE after booting' % (
            len(active), count))
    return ids


def settle(port, timeout=180):
    """Wait until no server has a task (every migration has ended), at
    most ``timeout`` s; the ids of the servers still busy then (a
    migration a failing service left behind), for the notes."""
    client = Client(port)
    busy = []

    def idle():
        _st, _s, body = client.request('GET', '/servers/detail?limit=1000',
                                       version='2.80')
        busy[:] = [s['id'] for s in body['servers']
                   if s.get('OS-EXT-STS:task_state') is not None]
        return not busy
    try:
        control_plane.wait_for(idle, timeout, 0.5,
                               'every migration to end')
    except AssertionError:
        # wait_for's timeout is an AssertionError: the busy ids are the
        # answer.
        pass
    return list(busy)


# -- processes ---------------------------------------------------------------
class MigratorAll:
    """``migrator-all`` in a state directory of its own."""

    def __init__(self, computes=2, extra_conf=FAST_CONF):
        self.state = tempfile.mkdtemp(prefix='migrator-bench-all-')
        self.port = free_port()
        conf = os.path.join(self.state, 'bench.conf')
        with open(conf, 'w') as f:
            f.write(extra_conf)
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [os.path.join(BIN, 'migrator-all'), '--config-file', conf,
             '--state-path', self.state, '--compute-port', str(self.port),
             '--volume-port', str(free_port()),
             '--computes', str(computes)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL)

    def wait(self, timeout=180):
        wait_http(self.port, timeout)
        return time.perf_counter() - self.started

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.state, ignore_errors=True)


class Deployment:
    """tools/deploy-local.sh on a throw-away RabbitMQ vhost (or exchange)
    and throw-away MariaDB databases."""

    def __init__(self, api_workers=2, conductors=2, computes=4,
                 extra_conf=FAST_CONF):
        self.dir = tempfile.mkdtemp(prefix='migrator-bench-deploy-')
        suffix = uuid.uuid4().hex[:10]
        self.prefix = 'mbench_%s' % suffix
        self.port = free_port()
        self.vhost = None
        url = RABBIT
        ctl = shutil.which('rabbitmqctl')
        if ctl and 'MIGRATOR_TEST_RABBIT_URL' not in os.environ:
            vhost = 'migrator-bench-' + suffix
            try:
                subprocess.run([ctl, 'add_vhost', vhost], check=True,
                               capture_output=True, timeout=60)
                subprocess.run([ctl, 'set_permissions', '-p', vhost, 'guest',
                                '.*', '.*', '.*'], check=True,
                               capture_output=True, timeout=60)
                self.vhost = vhost
                url = RABBIT.rstrip('/') + '/' + vhost
            except (subprocess.SubprocessError, OSError):
                pass
        extra = os.path.join(self.dir, 'extra.conf')
        with open(extra, 'w') as f:
            f.write(extra_conf)
        self.env = dict(
            os.environ, MIGRATOR_TRANSPORT_URL=url,
            MIGRATOR_DB_SERVER=MYSQL, MIGRATOR_DB_PREFIX=self.prefix,
            MIGRATOR_CONTROL_EXCHANGE='mbench_%s' % suffix,
            MIGRATOR_API_PORT=str(self.port), MIGRATOR_BIN=BIN,
            MIGRATOR_API_WORKERS=str(api_workers),
            MIGRATOR_CONDUCTORS=str(conductors),
            MIGRATOR_COMPUTES=str(computes),
            MIGRATOR_EXTRA_CONF=extra,
            # A benchmark's deployment is thrown away: nothing to drain
            # in order, every service is signalled at once.
            MIGRATOR_STOP_AT_ONCE='1')
        # deployment(shared=True): whether a benchmark used it before,
        # how long its start took, and whether it is to be stopped.
        self.reused = False
        self.start_seconds = None
        self.retired = False

    def retire(self):
        """Stop this deployment after its block instead of sharing it."""
        self.retired = True

    def script(self, action):
        result = subprocess.run(
            ['bash', os.path.join(ROOT, 'tools', 'deploy-local.sh'), action,
             self.dir], env=self.env, capture_output=True, text=True,
            timeout=900, stdin=subprocess.DEVNULL)
        if result.returncode:
            raise RuntimeError('deploy-local.sh %s: %s%s' % (
                action, result.stdout[-2000:], result.stderr[-2000:]))
        return result.stdout

    def start(self):
        self.script('start')
        wait_http(self.port)
        return self

    def pid(self, name):
        with open(os.path.join(self.dir, 'run', name + '.pid')) as f:
            return int(f.read())

    @property
    def conf(self):
        return os.path.join(self.dir, 'migrator.conf')

    def stop(self):
        try:
            self.script('stop')
        finally:
            import sqlalchemy as sa
            engine = sa.create_engine(MYSQL + '/',
                                      isolation_level='AUTOCOMMIT',
                                      poolclass=sa.pool.NullPool)
            with engine.connect() as conn:
                for name in (self.prefix + '_api', self.prefix,
                             self.prefix + '_cell0'):
                    conn.execute(sa.text('DROP DATABASE IF EXISTS %s'
                                         % name))
            if self.vhost:
                # In the background: rabbitmqctl spends seconds starting
                # and nothing waits for the vhost to go.
                subprocess.Popen(['rabbitmqctl', 'delete_vhost', self.vhost],
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL,
                                 stdin=subprocess.DEVNULL)
            shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def running(service):
    try:
        yield service
    finally:
        service.stop()


# -- one deployment for several benchmarks -----------------------------------
# {topology: started Deployment}, stopped by stop_shared() (the runner's
# end, or this process's exit).
_SHARED = {}


def delete_servers(port, timeout=300):
    """Delete every server and wait until none is listed (at most
    ``timeout`` s); how many there were."""
    client = Client(port)
    _st, _s, body = client.request('GET', '/servers?limit=1000')
    ids = [s['id'] for s in body['servers']]
    for server_id in ids:
        status, _s, body = client.request('DELETE', '/servers/%s'
                                          % server_id)
        if status not in (204, 404):
            raise RuntimeError('delete server %s: %s %s' % (
                server_id, status, body))

    def gone():
        _st, _s, body = client.request('GET', '/servers?limit=1000')
        return not body['servers']
    if ids:
        control_plane.wait_for(gone, timeout, 0.2, 'every server deleted')
    client.close()
    return len(ids)


def active_servers(port, count):
    """Ids of at most ``count`` of the ACTIVE servers already there, and
    as many more booted as make ``count``."""
    _st, _s, body = Client(port).request('GET', '/servers/detail?limit=1000')
    ids = [s['id'] for s in body['servers'] if s['status'] == 'ACTIVE']
    ids = ids[:count]
    if len(ids) < count:
        ids += boot_servers(port, count - len(ids))
    return ids


def services_up(port):
    """(services up, services listed) of ``GET /os-services``."""
    _st, _s, body = Client(port).request('GET', '/os-services')
    services = (body or {}).get('services', [])
    return sum(1 for s in services if s.get('state') == 'up'), len(services)


@contextlib.contextmanager
def deployment(shared=False, keep_servers=False, **topology):
    """A started ``Deployment(**topology)``, stopped at the end of the
    block, or with ``shared=True`` the run's one deployment of that
    topology (``extra_conf`` included), started on first use and kept
    for the next benchmark that asks for it: before the block it is
    brought back to idle (no task in flight: ``settle``), its servers
    are deleted, and every service must be up. ``dep.reused`` says
    whether an earlier benchmark used it, ``dep.start_seconds`` how long
    its start took. A benchmark that changes it (stops a service, adds
    one) calls ``dep.retire()``: it is stopped after the block instead.
    ``MIGRATOR_BENCH_SHARE=0`` in the environment turns sharing off.
    ``keep_servers=True``: a reused deployment keeps the earlier
    benchmark's servers (idle, see ``active_servers``) instead of
    deleting them: booting them again costs a minute at full size."""
    if os.environ.get('MIGRATOR_BENCH_SHARE', '1') == '0':
        shared = False
    key = tuple(sorted(topology.items()))
    dep = _SHARED.get(key) if shared else None
    if dep is not None:
        busy = settle(dep.port)
        if busy:
            raise RuntimeError('the shared deployment still has servers '
                               'with a task: %s' % ', '.join(busy))
        if not keep_servers:
            delete_servers(dep.port)
        up, listed = services_up(dep.port)
        if up < listed:
            raise RuntimeError('the shared deployment has %d of %d '
                               'services up' % (up, listed))
        dep.reused = True
    else:
        dep = Deployment(**topology)
        try:
            started = time.perf_counter()
            dep.start()
            dep.start_seconds = time.perf_counter() - started
        except BaseException:
            dep.stop()
            raise
        dep.reused = False
        if shared:
            _SHARED[key] = dep
    dep.retired = False
    try:
        yield dep
    except BaseException:
        dep.retire()
        raise
    finally:
        if dep.retired or not shared:
            _SHARED.pop(key, None)
            dep.stop()


def stop_shared():
    """Stop every shared deployment (the runner calls it at its end)."""
    while _SHARED:
        _key, dep = _SHARED.popitem()
        try:
            dep.stop()
        except Exception as exc:
            print('stopping a shared deployment: %s' % exc, file=sys.stderr)


atexit.register(stop_shared)
