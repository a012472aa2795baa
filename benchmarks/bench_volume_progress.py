"""What migration_progress costs a GET of a migrating volume, and how
fast a host-assisted volume migration moves a volume.

Runs the block storage API in front of an in-process control plane and a
volume service (two file backends), migrates a volume, and while it
copies times ``GET /v3/volumes/{id}`` at 3.71 (no RPC) and at 3.72 (one
RPC call to the volume service), alternating so machine noise hits both
alike. Then migrates a volume unthrottled and times it from the POST to
``success``. Prints medians and writes benchmarks/results/
volume_progress.json.

    python -m benchmarks.bench_volume_progress [--rounds 100] [--size 1]
"""
import argparse
import json
import os
import statistics
import time

import webob

from migrator.tests.functional import control_plane
from migrator.tests.functional.volume import api_fixture

TOKEN = 'admin:admin'
RESULTS = os.path.join(os.path.dirname(__file__), 'results',
                       'volume_progress.json')


def call(app, method, path, version='3.72', body=None):
    req = webob.Request.blank('/v3' + path, method=method, headers={
        'X-Auth-Token': TOKEN, 'OpenStack-API-Version': 'volume ' +
        version})
    if body is not None:
        req.body = json.dumps(body).encode()
        req.content_type = 'application/json'
    start = time.perf_counter()
    resp = req.get_response(app)
    return time.perf_counter() - start, resp


def create(app, size):
    _t, resp = call(app, 'POST', '/volumes', body={
        'volume': {'size': size, 'volume_type': 'file1'}})
    volume_id = resp.json['volume']['id']
    control_plane.wait_for(
        lambda: call(app, 'GET', '/volumes/' + volume_id)[1].json[
            'volume']['status'] == 'available', what='available')
    return volume_id


def migrate(app, volume_id, host):
    call(app, 'POST', '/volumes/%s/action' % volume_id,
         body={'os-migrate_volume': {'host': host}})


def status(app, volume_id):
    return call(app, 'GET', '/volumes/' + volume_id)[1].json['volume']


def measure(rounds, size, throttle_mib=64):
    fixture = api_fixture.VolumeAPI()
    fixture.setUp()
    try:
        app = fixture.app()
        # Slow enough to take the samples while it copies (the copy keeps
        # the limit it started with: size / throttle_mib seconds).
        fixture.conf.config(copy_rate_limit_mib=throttle_mib,
                            group='volume')
        volume_id = create(app, size)
        migrate(app, volume_id, 'volume1@file2')
        control_plane.wait_for(
            lambda: 'migration_progress' in status(app, volume_id),
            what='progress')
        times = {'3.71': [], '3.72': []}
        with_field = 0
        # Pairs taken while the copy runs (the 3.72 answer carries the
        # field); the loop ends when the migration does.
        while with_field < rounds:
            plain, _resp = call(app, 'GET', '/volumes/' + volume_id, '3.71')
            timed, resp = call(app, 'GET', '/volumes/' + volume_id, '3.72')
            if 'migration_progress' not in resp.json['volume']:
                break
            times['3.71'].append(plain)
            times['3.72'].append(timed)
            with_field += 1
        fixture.conf.config(copy_rate_limit_mib=0, group='volume')
        control_plane.wait_for(
            lambda: status(app, volume_id)['migration_status'] in
            ('success', 'error'), timeout=600, what='first migration')
        other = create(app, size)
        start = time.monotonic()
        migrate(app, other, 'volume1@file2')
        control_plane.wait_for(
            lambda: status(app, other)['migration_status'] in
            ('success', 'error'), timeout=600, interval=0.05,
            what='unthrottled migration')
        seconds = time.monotonic() - start
        return times, with_field, seconds
    finally:
        fixture.cleanUp()


def run(quick=False, rounds=None, size=1):
    rounds = rounds or (10 if quick else 100)
    # --quick: the sampled copy lasts 4 s a GiB instead of 16 s.
    throttle = 256 if quick else 64
    times, with_field, seconds = measure(rounds, size, throttle)
    if not with_field:
        raise RuntimeError('no GET pair was taken while the volume copied '
                           'at %d MiB/s' % throttle)
    plain = statistics.median(times['3.71']) * 1000
    progress = statistics.median(times['3.72']) * 1000
    figures = {
        'rounds': with_field, 'size_gib': size,
        'sampled_copy_throttle_mib_s': throttle,
        'get_3_71_median_ms': round(plain, 2),
        'get_3_72_median_ms': round(progress, 2),
        'get_3_72_with_progress': with_field,
        'unthrottled_migration_seconds': round(seconds, 2),
        'unthrottled_migration_mib_s': round(size * 1024 / seconds, 1),
    }
    return {'name': 'volume_progress', 'figures': figures,
            'ratios': [{'name': 'GET volume 3.72 (progress RPC) / 3.71',
                        'value': round(progress / plain, 3),
                        'target': 'report', 'met': True}],
            'notes': ['in-process block storage API; 3.72 adds one RPC '
                      'call to the volume service']}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rounds', type=int, default=100,
                        help='most GET pairs to time')
    parser.add_argument('--size', type=int, default=1,
                        help='GiB per volume')
    args = parser.parse_args(argv)
    result = run(rounds=args.rounds, size=args.size)
    fig = result['figures']
    print('GET /v3/volumes/{id} of a migrating volume, median of %d '
          'pairs taken while it copied, in-process API (load average '
          '%.1f)' % (fig['rounds'], os.getloadavg()[0]))
    print('  3.71 (no RPC): %.2f ms   3.72 (one RPC call): %.2f ms'
          % (fig['get_3_71_median_ms'], fig['get_3_72_median_ms']))
    print('Host-assisted migration of %d GiB, unthrottled, POST to '
          'success: %.1f s (%.0f MiB/s)' % (
              args.size, fig['unthrottled_migration_seconds'],
              fig['unthrottled_migration_mib_s']))
    with open(RESULTS, 'w') as handle:
        json.dump(fig, handle, indent=2, sort_keys=True)
        handle.write('\n')


if __name__ == '__main__':
    main()
