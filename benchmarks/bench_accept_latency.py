"""How long a client waits for os-migrateLive to be accepted, over real
processes, and how accepting scales (issue 14, items 1 and 6).

deployed  tools/deploy-local.sh: migrator-api under gunicorn (gthread),
          2 conductors, 4 simulated computes (the fake driver, 10 x real
          time), RabbitMQ and MariaDB. A threaded load generator (one
          keep-alive connection per thread, concurrency 16) sends the
          floor -- ``GET /v2.1`` on the same server -- then live-migrate
          requests at 2.34 (asynchronous: answered once the Migration and
          the action are recorded and the conductor is cast to) and at 2.30
          (blocking: answered after scheduling and the pre-checks), round
          robin over a pool of ACTIVE servers. A server still migrating
          answers 409 (expected, counted apart); any other error fails.
embedded  migrator-all (SQLite, in-process transport), one client, one
          request at a time: the figures a new user sees first.
scale     accepted live migrations per second (2.34) with 1 vs 2 API
          worker processes, and blocking ones (2.30, where the conductor
          works while the client waits) with 2 vs 1 conductor; the CPU
          each process used names the bottleneck.

Targets: asynchronous p50 <= 5 x floor p50; blocking p50 / asynchronous
p50 >= 5; no error but 409.

    python -m benchmarks.bench_accept_latency [--quick]
"""
import argparse
import json
import os
import subprocess
import sys
import time

from benchmarks import common

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


def measure_deployed(port, server_ids, total, concurrency):
    results = {}
    for name, make, expected in (
            ('floor GET /v2.1', floor_request, (200,)),
            ('2.34 asynchronous', live_migrate(server_ids, '2.34'), (202,)),
            ('2.30 blocking', live_migrate(server_ids, '2.30'), (202,))):
        by_status, wall = common.load(port, make, total, concurrency)
        results[name] = summarize(by_status, wall, expected)
        errors = {k: v for k, v in results[name]['statuses'].items()
                  if int(k) not in expected + (409,)}
        if errors:
            raise RuntimeError('%s: unexpected answers %s' % (name, errors))
        if name != 'floor GET /v2.1':
            results[name]['left_busy'] = len(common.settle(port))
    return results


def process_cpu(deployment, names):
    cpu = {}
    for name in names:
        try:
            pid = deployment.pid(name)
            cpu[name] = round(sum(
                common.cpu_seconds(p) for p in
                [pid] + common.descendants(pid)), 2)
        except OSError:
            pass
    return cpu


def measure_scale(deployment, server_ids, total):
    """Accepted per second with the deployment's 2 API workers vs 1 (a
    second gunicorn of one worker on its own port), then blocking with
    2 conductors vs 1 (conductor2 stopped)."""
    port1 = common.free_port()
    api1 = subprocess.Popen(
        [os.path.join(common.BIN, 'gunicorn'), '--workers', '1',
         '--worker-class', 'gthread', '--threads', '8', '--bind',
         '127.0.0.1:%d' % port1, 'migrator.api.wsgi_app:init_application()'],
        env=dict(os.environ, MIGRATOR_CONFIG_FILES=deployment.conf),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL)
    scale = {}
    try:
        common.wait_http(port1)
        for label, port in (('1 API worker', port1),
                            ('2 API workers', deployment.port)):
            before = common.cpu_seconds(api1.pid) if port == port1 else None
            by_status, wall = common.load(
                port, live_migrate(server_ids, '2.34'), total, CONCURRENCY)
            scale[label] = summarize(by_status, wall)
            if before is not None:
                scale[label]['api_cpu_s_per_request'] = round(
                    (common.cpu_seconds(api1.pid) - before) / total, 4)
            scale[label]['left_busy'] = len(common.settle(deployment.port))
    finally:
        api1.terminate()
        api1.wait(60)
    names = ['conductor1', 'conductor2']
    for label in ('2 conductors', '1 conductor'):
        if label == '1 conductor':
            os.kill(deployment.pid('conductor2'), 15)
            time.sleep(3)
            names = ['conductor1']
        cpu0 = process_cpu(deployment, names + ['api'])
        by_status, wall = common.load(
            deployment.port, live_migrate(server_ids, '2.30'), total // 2,
            CONCURRENCY)
        cpu1 = process_cpu(deployment, names + ['api'])
        scale[label] = summarize(by_status, wall)
        scale[label]['cpu_s'] = {k: round(cpu1[k] - cpu0.get(k, 0), 2)
                                 for k in cpu1}
        scale[label]['left_busy'] = len(common.settle(deployment.port))
    return scale


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


def run(quick=False, scale=True):
    servers = 16 if quick else 128
    total = 128 if quick else 2000
    figures, ratios, notes = {}, [], []
    figures['embedded'] = measure_embedded(10 if quick else 30)
    ratios += _ratios(figures['embedded'], 'embedded')
    deployment = common.Deployment(api_workers=2, conductors=2, computes=4)
    with common.running(deployment):
        started = time.perf_counter()
        deployment.start()
        figures['deploy_start_s'] = round(time.perf_counter() - started, 1)
        server_ids = common.boot_servers(deployment.port, servers)
        # Warm up every worker and connection before timing.
        common.load(deployment.port, floor_request, 64, CONCURRENCY)
        figures['deployed'] = measure_deployed(
            deployment.port, server_ids, total, CONCURRENCY)
        ratios += _ratios(figures['deployed'], 'deployed c16')
        if scale:
            figures['scale'] = s = measure_scale(
                deployment, server_ids, total // 2)
            api = (s['2 API workers']['accepted_per_s'] /
                   s['1 API worker']['accepted_per_s'])
            cond = (s['2 conductors']['accepted_per_s'] /
                    s['1 conductor']['accepted_per_s'])
            ratios.append(common.ratio(
                'scale: 2.34 accepted/s, 2 / 1 API workers', api,
                'report', True))
            ratios.append(common.ratio(
                'scale: 2.30 accepted/s, 2 / 1 conductors', cond,
                'report', True))
            notes.append(
                'scale-out on %d cores shared with the load generator, '
                'MariaDB and RabbitMQ: a second API worker or conductor '
                'only helps while a core is idle; CPU seconds per process '
                'are in figures.scale' % os.cpu_count())
    notes.append('deployed: %d servers, %d requests per case at '
                 'concurrency %d; a request for a server still migrating '
                 'is a 409, counted in statuses and left out of the '
                 'percentiles' % (servers, total, CONCURRENCY))
    return {'name': NAME, 'figures': figures, 'ratios': ratios,
            'notes': notes}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--quick', action='store_true')
    parser.add_argument('--no-scale', action='store_true')
    args = parser.parse_args(argv)
    result = run(args.quick, scale=not args.no_scale)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == '__main__':
    sys.exit(main())
