"""How long a client waits for os-migrateLive to be accepted, over real
processes (issue 14, item 1; scaling is bench_scale_out).

deployed  tools/deploy-local.sh: migrator-api under gunicorn (gthread,
          2 workers), 2 conductors, 4 simulated computes (the fake driver,
          10 x real time), RabbitMQ and MariaDB. A threaded load generator
          (one keep-alive connection per thread, concurrency 16) sends the
          floor -- ``GET /v2.1`` on the same server -- then live-migrate
          requests at 2.34 (asynchronous: answered once the Migration and
          the action are recorded and the conductor is cast to) and at 2.30
          (blocking: answered after scheduling and the pre-checks), round
          robin over a pool of ACTIVE servers. A server still migrating
          answers 409 (expected, counted apart); any other error fails.
          py-spy samples the API workers during the 2.34 case: the notes
          name where its time goes. Each case reports the CPU per
          request of the API workers, the conductors and the computes
          (on 2 cores at concurrency 16 a request mostly waits for a
          core: its p50 follows that CPU) and the load average.
embedded  migrator-all (SQLite, in-process transport), one client, one
          request at a time: the figures a new user sees first (left out
          of --quick, which must stay within 2 minutes).

Targets: asynchronous p50 <= 5 x floor p50; blocking p50 / asynchronous
p50 >= 5; no error but 409.

    python -m benchmarks.bench_accept_latency [--quick]
"""
import os
import sys
import time

from benchmarks import common
from benchmarks import profiling

NAME = 'accept_latency'
CONCURRENCY = 16


def live_migrate(server_ids, version):
    body = {'os-migrateLive': {'host': None, 'block_migration': 'auto'}}

    def make(i):
        return ('POST', '/servers/%s/action' % server_ids[i % len(
            server_ids)], body, version)
    return make


def floor_request(i):
    return ('GET', '', None, '2.1')


def summarize(by_status, wall, expected=(202,)):
    ok = [s for status in expected for s in by_status.get(status, [])]
    figures = common.percentiles(ok)
    total = sum(len(v) for v in by_status.values())
    figures.update({
        'requests': total,
        'statuses': {str(k): len(v) for k, v in sorted(by_status.items())},
        'req_per_s': round(total / wall, 1),
        'accepted_per_s': round(len(ok) / wall, 1)})
    return figures


def measure_deployed(port, server_ids, total, concurrency,
                     profile_pids=(), cpu_groups=None):
    """Each case's figures, with the CPU each group of processes
    (``cpu_groups``: {label: [pids]}) used per request of the case: on 2
    cores at concurrency 16 a request mostly waits for a core, so its
    p50 follows the CPU the API spends on it and what the conductors
    and computes spend at the same time."""
    cpu_groups = cpu_groups or {}
    results = {}
    for name, make, expected in (
            ('floor GET /v2.1', floor_request, (200,)),
            ('2.34 asynchronous', live_migrate(server_ids, '2.34'), (202,)),
            ('2.30 blocking', live_migrate(server_ids, '2.30'), (202,))):
        sampler = None
        if name == '2.34 asynchronous' and profile_pids:
            sampler = profiling.Sampler(profile_pids, seconds=15)
            time.sleep(0.5)
        load_before = os.getloadavg()[0]
        cpu0 = {k: common.cpu_seconds_of(v) for k, v in cpu_groups.items()}
        by_status, wall = common.load(port, make, total, concurrency)
        cpu1 = {k: common.cpu_seconds_of(v) for k, v in cpu_groups.items()}
        results[name] = summarize(by_status, wall, expected)
        requests = max(1, results[name]['requests'])
        results[name]['cpu_ms_per_request'] = {
            k: round(1000.0 * (cpu1[k] - cpu0[k]) / requests, 2)
            for k in cpu_groups}
        results[name]['load_average_before'] = round(load_before, 2)
        if sampler is not None:
            results[name]['profile'] = sampler.top(within='migrate_live')
        errors = {k: v for k, v in results[name]['statuses'].items()
                  if int(k) not in expected + (409,)}
        if errors:
            raise RuntimeError('%s: unexpected answers %s' % (name, errors))
        if name != 'floor GET /v2.1':
            results[name]['left_busy'] = len(common.settle(port))
    return results


def measure_embedded(rounds):
    with common.running(common.MigratorAll(computes=2)) as all_:
        all_.wait()
        server_ids = common.boot_servers(all_.port, rounds)
        client = common.Client(all_.port)
        times = {'floor GET /v2.1': [], '2.34 asynchronous': [],
                 '2.30 blocking': []}
        for _ in range(rounds):
            times['floor GET /v2.1'].append(client.request('GET', '')[1])
        for version, key in (('2.34', '2.34 asynchronous'),
                             ('2.30', '2.30 blocking')):
            for sid in server_ids:
                status, seconds, body = client.request(
                    *live_migrate([sid], version)(0))
                if status != 202:
                    raise RuntimeError('%s: %s %s' % (key, status, body))
                times[key].append(seconds)
            common.settle(all_.port)
        return {k: common.percentiles(v) for k, v in times.items()}


def _ratios(section, label):
    floor = section['floor GET /v2.1']['p50_ms']
    async_ = section['2.34 asynchronous']['p50_ms']
    blocking = section['2.30 blocking']['p50_ms']
    return [
        common.ratio('%s: 2.34 p50 / floor p50' % label, async_ / floor,
                     '<= 5', async_ / floor <= 5),
        common.ratio('%s: 2.30 p50 / 2.34 p50' % label, blocking / async_,
                     '>= 5', blocking / async_ >= 5)]


def run(quick=False):
    servers = 16 if quick else 128
    total = 64 if quick else 2000
    figures, ratios, notes = {}, [], []
    if not quick:
        figures['embedded'] = measure_embedded(30)
        ratios += _ratios(figures['embedded'], 'embedded')
    # The run's shared deployment: scale_out, which runs next, reuses it.
    with common.deployment(shared=True, api_workers=2, conductors=2,
                           computes=4) as deployment:
        figures['deploy_start_s'] = round(deployment.start_seconds, 1)
        figures['deployment_reused'] = deployment.reused
        server_ids = common.boot_servers(deployment.port, servers)
        # Warm up every worker and connection before timing, and let the
        # API workers see each server once (as a client that looked at
        # a server before moving it).
        common.load(deployment.port, floor_request, 64, CONCURRENCY)
        common.load(deployment.port, lambda i: (
            'GET', '/servers/%s' % server_ids[i % servers], None, '2.80'),
            2 * servers, CONCURRENCY)
        # ... and fill the workers' RabbitMQ connection pools (a new
        # connection costs tens of ms of CPU): live migrations at the
        # timed cases' concurrency, not timed, ended before them. Two
        # per thread of the load fill the pools as far as concurrency
        # 16 can; a migration of every server only made the wait for
        # them to end longer.
        warm = min(servers, 2 * CONCURRENCY)
        common.load(deployment.port, live_migrate(server_ids, '2.34'),
                    warm, CONCURRENCY)
        common.settle(deployment.port)
        api_pids = common.descendants(deployment.pid('api'))
        groups = {'api': [deployment.pid('api')] + api_pids}
        for name in ('conductor1', 'conductor2', 'compute1', 'compute2',
                     'compute3', 'compute4'):
            pid = deployment.pid(name)
            groups.setdefault(name[:-1] + 's', []).append(pid)
        figures['deployed'] = measure_deployed(
            deployment.port, server_ids, total, CONCURRENCY,
            profile_pids=api_pids, cpu_groups=groups)
        ratios += _ratios(figures['deployed'], 'deployed c16')
    notes.append(profiling.describe(
        figures['deployed']['2.34 asynchronous'].get(
            'profile', {'error': 'none'}),
        'API workers during the 2.34 case'))
    deployed = figures['deployed']
    notes.append(
        'CPU per request (ms; 409s included) of the API workers: floor '
        '%s, 2.34 %s, 2.30 %s; conductors during 2.34 %s, 2.30 %s; '
        'computes during 2.34 %s; load average %s before the 2.34 case' % (
            deployed['floor GET /v2.1']['cpu_ms_per_request']['api'],
            deployed['2.34 asynchronous']['cpu_ms_per_request']['api'],
            deployed['2.30 blocking']['cpu_ms_per_request']['api'],
            deployed['2.34 asynchronous']['cpu_ms_per_request'][
                'conductors'],
            deployed['2.30 blocking']['cpu_ms_per_request']['conductors'],
            deployed['2.34 asynchronous']['cpu_ms_per_request'][
                'computes'],
            deployed['2.34 asynchronous']['load_average_before']))
    notes.append('deployed: %d servers, %d requests per case at '
                 'concurrency %d; a request for a server still migrating '
                 'is a 409, counted in statuses and left out of the '
                 'percentiles' % (servers, total, CONCURRENCY))
    if quick:
        notes.append('--quick leaves out the embedded (migrator-all) '
                     'figures; the full run has them')
    return {'name': NAME, 'figures': figures, 'ratios': ratios,
            'notes': notes}


def main(argv=None):
    return common.main(run, __doc__, argv)


if __name__ == '__main__':
    sys.exit(main())
