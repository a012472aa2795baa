"""How much a page of GET /os-migrations costs as the table grows.

Fills a SQLite cell database with N migrations (bulk insert, one
transaction) for N = 1,000 and N = 200,000 by default, then times, through
the real WSGI app at microversion 2.59, the first page and a deep page
(its marker 90% of the way down the table), each ``--page`` rows, and
prints the median of ``--repeat`` requests side by side, with the ratio
large/small. With the (created_at, id) index a page is a range scan, so
the ratios should stay near 1; without it they would grow with N.

200,000 rather than 1,000,000 rows keeps a run under two minutes on a
laptop; ``--sizes 1000,1000000`` runs the full million (several minutes,
mostly the insert).

    python -m benchmarks.bench_os_migrations_paging [--sizes 1000,200000]
        [--page 100] [--repeat 30]

Timings belong here, never in pass/fail tests (see
migrator/tests/functional/db/test_migrations_paging_plan.py for the
index check the tests make).
"""
import argparse
import datetime
import sqlite3
import statistics
import sys
import time
import uuid as uuid_mod

import webob

from migrator.tests.functional.api import fixtures as api_fixtures

T0 = datetime.datetime(2020, 1, 1)
STATUSES = ('completed', 'completed', 'completed', 'failed', 'cancelled',
            'error', 'running')
TYPES = ('live-migration', 'live-migration', 'migration', 'resize')


def _rows(count):
    for i in range(count):
        # Several rows share a created_at (every 3rd second), so the id
        # tie-break of the keyset is exercised too.
        when = (T0 + datetime.timedelta(seconds=i // 3)).isoformat(' ')
        yield (when, when, 0, str(uuid_mod.uuid4()), 'host%d' % (i % 50),
               'host%d' % ((i + 1) % 50), 'host%d' % (i % 50),
               'host%d' % ((i + 1) % 50), '10.0.0.%d' % (i % 250),
               STATUSES[i % len(STATUSES)], str(uuid_mod.uuid4()), 1, 1,
               TYPES[i % len(TYPES)], 0, 0, 'user', 'project',
               2 ** 31, 2 ** 30, 2 ** 30, 0, 0, 0)


def fill(db_path, count, analyze):
    conn = sqlite3.connect(db_path)
    conn.executemany(
        'INSERT INTO migrations (created_at, updated_at, deleted, uuid, '
        'source_compute, dest_compute, source_node, dest_node, dest_host, '
        'status, instance_uuid, old_instance_type_id, new_instance_type_id, '
        'migration_type, hidden, cross_cell_move, user_id, project_id, '
        'memory_total, memory_processed, memory_remaining, disk_total, '
        'disk_processed, disk_remaining) VALUES (%s)'
        % ', '.join('?' * 24), _rows(count))
    conn.commit()
    if analyze:
        conn.execute('ANALYZE')
        conn.commit()
    marker = conn.execute(
        'SELECT uuid FROM migrations ORDER BY created_at DESC, id DESC '
        'LIMIT 1 OFFSET ?', (int(count * 0.9),)).fetchone()[0]
    conn.close()
    return marker


def _time(app, path, repeat):
    samples = []
    for _ in range(repeat):
        req = webob.Request.blank(path, headers={
            'X-Auth-Token': 'admin:admin',
            'OpenStack-API-Version': 'compute 2.59'})
        start = time.perf_counter()
        resp = req.get_response(app)
        samples.append(time.perf_counter() - start)
        assert resp.status_int == 200, resp.body
    return statistics.median(samples)


def measure(count, page, repeat, analyze):
    fixture = api_fixtures.APIFixture(flavors=False, computes=())
    fixture.setUp()
    try:
        db_path = fixture.cell.database_connection.split(':///', 1)[1]
        start = time.perf_counter()
        marker = fill(db_path, count, analyze)
        fill_s = time.perf_counter() - start
        app = fixture.app()
        first_path = '/v2.1/os-migrations?limit=%d' % page
        deep_path = first_path + '&marker=' + marker
        _time(app, first_path, 3)   # warm caches and the policy engine
        return {'rows': count, 'fill_s': fill_s,
                'first_ms': _time(app, first_path, repeat) * 1000,
                'deep_ms': _time(app, deep_path, repeat) * 1000}
    finally:
        fixture.cleanUp()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', default='1000,200000')
    parser.add_argument('--page', type=int, default=100)
    parser.add_argument('--repeat', type=int, default=30)
    parser.add_argument('--analyze', action='store_true',
                        help='run ANALYZE after the insert (SQLite then '
                             'knows the deleted column is not selective)')
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(',')]
    results = [measure(n, args.page, args.repeat, args.analyze)
               for n in sizes]
    print('GET /v2.1/os-migrations?limit=%d at 2.59, SQLite%s, median of '
          '%d' % (args.page, ' after ANALYZE' if args.analyze else '',
                  args.repeat))
    print('%10s %10s %14s %14s' % ('rows', 'fill (s)', 'first page (ms)',
                                   'deep page (ms)'))
    for r in results:
        print('%10d %10.1f %14.2f %14.2f' % (r['rows'], r['fill_s'],
                                             r['first_ms'], r['deep_ms']))
    small, large = results[0], results[-1]
    print('ratio %d/%d rows: first page %.2fx, deep page %.2fx; '
          'deep/first at %d rows %.2fx'
          % (large['rows'], small['rows'],
             large['first_ms'] / small['first_ms'],
             large['deep_ms'] / small['deep_ms'], large['rows'],
             large['deep_ms'] / large['first_ms']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
