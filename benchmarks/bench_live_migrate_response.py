"""How long a client waits for os-migrateLive: blocking (2.30) against
asynchronous (2.34, seed 000), side by side in one run.

Runs the compute API in front of an in-process control plane (conductor
and two simulated computes, the fake driver), boots servers, and times the
POST alone — not the migration — alternating the two microversions so
that machine noise hits both alike. Two cases: a destination that passes
the pre-checks, and one that fails them (the server's own host). Prints
the median and the ratio blocking/async.

    python -m benchmarks.bench_live_migrate_response [--rounds 15]
"""
import argparse
import json
import statistics
import time

import webob

from migrator.tests.functional.api import control_plane_api

TOKEN = 'admin:admin'


def post_live_migrate(app, server_id, version, host):
    req = webob.Request.blank(
        '/v2.1/servers/%s/action' % server_id, method='POST',
        headers={'X-Auth-Token': TOKEN,
                 'Content-Type': 'application/json',
                 'OpenStack-API-Version': 'compute %s' % version})
    req.body = json.dumps({'os-migrateLive': {
        'host': host, 'block_migration': 'auto'}}).encode()
    start = time.perf_counter()
    resp = req.get_response(app)
    return time.perf_counter() - start, resp.status_int


def measure(rounds):
    fixture = control_plane_api.ControlPlaneAPI()
    fixture.setUp()
    try:
        plane = fixture.plane
        app = fixture.app()
        times = {('pass', '2.30'): [], ('pass', '2.34'): [],
                 ('fail', '2.30'): [], ('fail', '2.34'): []}
        for _ in range(rounds):
            for version in ('2.30', '2.34'):
                inst = plane.boot('m1.tiny', host='compute1')
                elapsed, status = post_live_migrate(app, inst.uuid,
                                                    version, 'compute1')
                times[('fail', version)].append(elapsed)
                assert status in (400, 202), status
                plane.wait_for_task_cleared(inst.uuid)
                elapsed, status = post_live_migrate(app, inst.uuid,
                                                    version, 'compute2')
                assert status == 202, status
                times[('pass', version)].append(elapsed)
                plane.wait_for_migration(inst.uuid)
                plane.wait_for_task_cleared(inst.uuid)
        return times
    finally:
        fixture.cleanUp()


def run(quick=False, rounds=None):
    rounds = rounds or (3 if quick else 15)
    times = measure(rounds)
    figures, ratios = {'rounds': rounds}, []
    for case, label in (('pass', 'pre-checks pass'),
                        ('fail', 'pre-check fails (self)')):
        blocking = statistics.median(times[(case, '2.30')]) * 1000
        async_ = statistics.median(times[(case, '2.34')]) * 1000
        figures[case] = {'2.30_median_ms': round(blocking, 2),
                         '2.34_median_ms': round(async_, 2)}
        ratios.append({'name': 'in-process, %s: 2.30 / 2.34' % label,
                       'value': round(blocking / async_, 3),
                       'target': '>= 5' if case == 'pass' else 'report',
                       'met': blocking / async_ >= 5 if case == 'pass'
                       else True})
    return {'name': 'live_migrate_response', 'figures': figures,
            'ratios': ratios,
            'notes': ['in-process WSGI (webob), SQLite: the API code '
                      'alone; bench_accept_latency measures it over real '
                      'processes']}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rounds', type=int, default=15)
    args = parser.parse_args(argv)
    result = run(rounds=args.rounds)
    print('os-migrateLive response time, median of %d, in-process API'
          % args.rounds)
    print('%-26s %12s %12s %8s' % ('case', '2.30 (ms)', '2.34 (ms)',
                                   'ratio'))
    for case, label in (('pass', 'pre-checks pass'),
                        ('fail', 'pre-check fails (self)')):
        row = result['figures'][case]
        print('%-26s %12.1f %12.1f %7.1fx' % (
            label, row['2.30_median_ms'], row['2.34_median_ms'],
            row['2.30_median_ms'] / row['2.34_median_ms']))


if __name__ == '__main__':
    main()
