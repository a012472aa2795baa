"""Scale out: accepted live migrations per second with 1 vs 2 API
processes and 1 vs 2 conductors, over real processes (issue 14, item 6).

One deployment (tools/deploy-local.sh: migrator-api under gunicorn with 2
worker processes, 2 conductors, simulated computes, RabbitMQ, MariaDB)
and beside it a second gunicorn of 1 worker on the same configuration.
Each round live-migrates every server of the pool once (one request per
server, concurrency 16) and then waits until every migration is terminal
(completed, failed, error or cancelled): nothing is left ``accepted`` or
running when the next round starts or the processes stop.

API       2.34 (asynchronous: the API's own work) through the 1-worker
          gunicorn, then through the 2-worker one (2 conductors).
conductor 2.30 (blocking: the request waits for the conductor's
          scheduling and pre-checks) with 2 conductors, then with
          conductor2 stopped (SIGTERM once idle, waited for) with 1.

For each round: accepted/s (202s over the round's wall time), p50 of the
202s, how long until every migration was terminal, and the CPU seconds
each process used. py-spy samples the API workers and the conductor in
extra rounds of their own (2.34 with 2 workers, 2.30 with 1 conductor),
so that sampling never slows a compared round. The scaling factors are reported
beside the ideal 2; the notes name the bottleneck from the CPU shares
and the profile.

    python -m benchmarks.bench_scale_out [--quick]
"""
import os
import subprocess
import sys
import time

from benchmarks import common
from benchmarks import profiling

NAME = 'scale_out'
CONCURRENCY = 16
FINAL = ('completed', 'failed', 'error', 'cancelled')


def live_migrate(server_ids, version):
    body = {'os-migrateLive': {'host': None, 'block_migration': 'auto'}}

    def make(i):
        return ('POST', '/servers/%s/action' % server_ids[i % len(
            server_ids)], body, version)
    return make


def wait_terminal(port, timeout=300):
    """Wait until no migration is left unfinished (every one completed,
    failed, error or cancelled) and no server has a task; the seconds
    it took. RuntimeError if some are still going after ``timeout``."""
    client = common.Client(port)
    started = time.perf_counter()
    left = []

    def done():
        _st, _s, body = client.request('GET', '/os-migrations?limit=1000',
                                       version='2.80')
        left[:] = [m['id'] for m in body['migrations']
                   if m['status'] not in FINAL]
        return not left
    try:
        common.control_plane.wait_for(done, timeout, 0.25,
                                      'every migration terminal')
    except AssertionError:
        raise RuntimeError('%d migrations still unfinished after %d s'
                           % (len(left), timeout))
    finally:
        client.close()
    busy = common.settle(port, timeout)
    if busy:
        raise RuntimeError('servers still busy: %s' % busy)
    return time.perf_counter() - started


class Processes:
    """CPU seconds of the deployment's processes (and their children),
    of MariaDB and of RabbitMQ, between two readings."""

    def __init__(self, deployment, names, extra_pids=()):
        self.groups = {}
        for name in names:
            try:
                pid = deployment.pid(name)
            except OSError:
                continue
            self.groups[name] = [pid] + common.descendants(pid)
        for label, pids in extra_pids:
            self.groups[label] = list(pids)
        for label, exe in (('mariadb', 'mariadbd'), ('mysqld', 'mysqld'),
                           ('rabbitmq', 'beam.smp')):
            pids = subprocess.run(['pgrep', '-x', exe], capture_output=True,
                                  text=True).stdout.split()
            if pids:
                self.groups[label] = [int(p) for p in pids]

    def read(self):
        return {label: common.cpu_seconds_of(pids)
                for label, pids in self.groups.items()}


def one_round(port, server_ids, version, processes, profile_pids=(),
              profile_within=None):
    """Every server live-migrated once; figures of the round."""
    cpu0 = processes.read()
    sampler = None
    if profile_pids:
        # Long enough to cover the requests; py-spy stops by itself.
        sampler = profiling.Sampler(profile_pids, seconds=20)
        time.sleep(0.5)
    by_status, wall = common.load(port, live_migrate(server_ids, version),
                                  len(server_ids), CONCURRENCY)
    accepted = by_status.get(202, [])
    terminal_s = wait_terminal(port)
    cpu1 = processes.read()
    errors = {k: len(v) for k, v in by_status.items() if k not in (202, 409)}
    if errors:
        raise RuntimeError('live-migrate %s: unexpected answers %s'
                           % (version, errors))
    figures = common.percentiles(accepted)
    figures.update({
        'version': version,
        'statuses': {str(k): len(v) for k, v in sorted(by_status.items())},
        'wall_s': round(wall, 2),
        'accepted_per_s': round(len(accepted) / wall, 2),
        'all_terminal_after_s': round(terminal_s, 1),
        'cpu_s': {k: round(cpu1[k] - cpu0.get(k, 0), 2) for k in cpu1}})
    if sampler is not None:
        figures['profile'] = sampler.top(within=profile_within)
    return figures


def start_single_worker_api(deployment):
    port = common.free_port()
    proc = subprocess.Popen(
        [os.path.join(common.BIN, 'gunicorn'), '--workers', '1',
         '--worker-class', 'gthread', '--threads', '8', '--bind',
         '127.0.0.1:%d' % port, 'migrator.api.wsgi_app:init_application()'],
        env=dict(os.environ, MIGRATOR_CONFIG_FILES=deployment.conf),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL)
    return port, proc


def stop_conductor(deployment, name, timeout=60):
    """SIGTERM ``name`` (idle: every migration is terminal) and wait for
    it to exit."""
    pid = deployment.pid(name)
    os.kill(pid, 15)
    common.control_plane.wait_for(
        lambda: not os.path.exists('/proc/%d' % pid) or
        _zombie(pid), timeout, 0.2, '%s to exit' % name)


def _zombie(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] == 'Z'
    except OSError:
        return True


def bottleneck(rounds):
    """The process that used the most CPU per accepted migration in the
    2-worker round, and how busy the machine's cores were."""
    r = rounds['2.34, 2 API workers']
    cpu = r['cpu_s']
    busiest = max(cpu, key=cpu.get)
    total = sum(cpu.values())
    accepted = max(1, r['statuses'].get('202', 0))
    span = r['wall_s'] + r['all_terminal_after_s']
    share = ', '.join('%s %.0f%%' % (k, 100.0 * v / total)
                      for k, v in sorted(cpu.items(), key=lambda kv: -kv[1])
                      if total and v > 0)
    return ('CPU per accepted migration, accept to terminal: %.1f ms in '
            'all (%s); busiest %s; the measured processes used %.0f%% of '
            'the %d cores over the round, at a load average of %.1f (the '
            'rest is the machine\'s other work)'
            % (1000.0 * total / accepted, share, busiest,
               100.0 * total / span / os.cpu_count(), os.cpu_count(),
               os.getloadavg()[0]))


def run(quick=False):
    servers = 16 if quick else 96
    # accept_latency's topology, so that the run's shared deployment
    # serves both (this benchmark stops a conductor: it retires it).
    computes = 4
    figures, notes = {'servers': servers, 'computes': computes}, []
    rounds = figures['rounds'] = {}
    profiled = figures['profiled_rounds'] = {}
    # accept_latency's servers are kept (idle) and reused: booting 96
    # again takes a minute.
    with common.deployment(shared=True, keep_servers=True, api_workers=2,
                           conductors=2, computes=computes) as deployment:
        figures['deploy_start_s'] = round(deployment.start_seconds, 1)
        figures['deployment_reused'] = deployment.reused
        port1, api1 = start_single_worker_api(deployment)
        try:
            server_ids = common.active_servers(deployment.port, servers)
            common.wait_http(port1)
            # Warm both APIs (imports, policy, database and RabbitMQ
            # connection pools: a new RabbitMQ connection costs tens of ms
            # of CPU) with a live migration of half the servers each, not
            # timed, and wait for them to end. A reused deployment's API
            # has its pools already (accept_latency migrated servers
            # through it): it only sees the new servers.
            half = servers // 2
            for port, ids in ((port1, server_ids[:half]),
                              (deployment.port, server_ids[half:])):
                common.load(port, lambda i: ('GET', '/servers/%s' %
                                             server_ids[i % servers], None,
                                             '2.80'), 2 * servers,
                            CONCURRENCY)
                if port == port1 or not deployment.reused:
                    common.load(port, live_migrate(ids, '2.34'), len(ids),
                                CONCURRENCY)
            wait_terminal(deployment.port)
            conductors = ['conductor1', 'conductor2']
            names = ['api'] + conductors + ['compute%d' % (n + 1)
                                            for n in range(computes)]
            procs = Processes(deployment, names,
                              extra_pids=[('api (1 worker)', [api1.pid] +
                                           common.descendants(api1.pid))])
            workers = common.descendants(deployment.pid('api'))
            rounds['2.34, 1 API worker'] = one_round(
                port1, server_ids, '2.34', procs)
            rounds['2.34, 2 API workers'] = one_round(
                deployment.port, server_ids, '2.34', procs)
            # The profiles come from rounds of their own: py-spy's
            # sampling must not slow the rounds that are compared. Only
            # the full run takes them (--quick keeps to its minutes).
            if not quick:
                profiled['2.34, 2 API workers'] = one_round(
                    deployment.port, server_ids, '2.34', procs,
                    profile_pids=workers, profile_within='migrate_live')
            rounds['2.30, 2 conductors'] = one_round(
                deployment.port, server_ids, '2.30', procs)
            # Every migration is terminal: conductor2 stops idle. The
            # deployment is not the shared topology any more.
            deployment.retire()
            stop_conductor(deployment, 'conductor2')
            procs = Processes(deployment, ['api', 'conductor1'] + [
                'compute%d' % (n + 1) for n in range(computes)])
            rounds['2.30, 1 conductor'] = one_round(
                deployment.port, server_ids, '2.30', procs)
            if not quick:
                profiled['2.30, 1 conductor'] = one_round(
                    deployment.port, server_ids, '2.30', procs,
                    profile_pids=[deployment.pid('conductor1')],
                    profile_within='migrator/conductor/')
            # one_round waited for every migration to be terminal: the
            # processes stop with nothing accepted or running.
        finally:
            api1.terminate()
            try:
                api1.wait(60)
            except subprocess.TimeoutExpired:
                api1.kill()
                api1.wait()
    api_factor = (rounds['2.34, 2 API workers']['accepted_per_s'] /
                  rounds['2.34, 1 API worker']['accepted_per_s'])
    conductor_factor = (rounds['2.30, 2 conductors']['accepted_per_s'] /
                        rounds['2.30, 1 conductor']['accepted_per_s'])
    figures['scaling'] = {'api_2_over_1': round(api_factor, 2),
                          'conductors_2_over_1': round(conductor_factor, 2)}
    ratios = [
        common.ratio('2.34 accepted/s, 2 / 1 API workers', api_factor,
                     'report (ideal 2)', True),
        common.ratio('2.30 accepted/s, 2 / 1 conductors', conductor_factor,
                     'report (ideal 2)', True)]
    notes.append('bottleneck: ' + bottleneck(rounds))
    if quick:
        notes.append('--quick takes no profiles (two more rounds); the '
                     'full run has them')
    else:
        notes.append(profiling.describe(
            profiled['2.34, 2 API workers']['profile'],
            'API workers during the 2.34 round'))
        notes.append(profiling.describe(
            profiled['2.30, 1 conductor']['profile'],
            'conductor1 during the 1-conductor 2.30 round'))
    notes.append('%d servers, each live-migrated once per round at '
                 'concurrency %d; every round waited until every '
                 'migration was terminal; %d cores shared by the load '
                 'generator, the services, MariaDB and RabbitMQ: a second '
                 'process only helps while a core is idle'
                 % (servers, CONCURRENCY, os.cpu_count()))
    return {'name': NAME, 'figures': figures, 'ratios': ratios,
            'notes': notes}


def main(argv=None):
    return common.main(run, __doc__, argv)


if __name__ == '__main__':
    sys.exit(main())
