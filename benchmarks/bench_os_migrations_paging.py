"""GET /os-migrations at a million rows across two cells, on MariaDB and
PostgreSQL, through migrator-api as its own process.

For each database and each size N (10,000 and 1,000,000; ``--quick``:
2,000 and 20,000) an API database and two cell databases are made, the
cells filled with N/2 migrations each (bulk inserts; created_at
interleaved between the cells, several rows per second so that the id
tie-break is used too), and ``migrator-api`` started on them. Then, over
one keep-alive HTTP connection at microversion 2.59, the median of
``--repeat`` requests of:

first page
    ``GET /v2.1/os-migrations?limit=1000``.
deep page
    The same with ``marker`` = the migration 90 % of the way down the
    list. Target: deep / first <= 1.5.
raw SQL
    What the page costs the databases, from one Python process over
    persistent connections: the marker's row looked up in each cell, and
    each cell's keyset query for the page (``deleted = 0 AND hidden =
    false``, after the marker's (created_at, id), newest first, 1000
    rows, with the index hint the API gives MariaDB), fetched. Target:
    deep page / raw SQL <= 3.
API memory
    The API process's resident set (VmRSS, and its peak VmHWM) after the
    requests, at the smallest and the largest N. Target: within 10 %.

The plan each database picks for the page query is printed and stored
(EXPLAIN); migrator/tests/functional/db/test_migrations_paging_plan.py
asserts it on SQLite and MariaDB; timings stay here.

``run(quick)`` returns the figures and ratios (the benchmarks contract);
``main`` prints them and writes benchmarks/results/os_migrations_paging.json.

    python -m benchmarks.bench_os_migrations_paging [--quick]
        [--sizes 10000,1000000] [--backends mysql,postgresql]
"""
import argparse
import datetime
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid as uuid_mod

import sqlalchemy as sa
from sqlalchemy.engine import url as sa_url

from benchmarks import common
from migrator.db import migration
from migrator.db import session
from migrator.objects import migration as migration_obj

NAME = 'os_migrations_paging'
RESULTS = os.path.join(os.path.dirname(__file__), 'results',
                       NAME + '.json')
SERVERS = {
    'mysql': os.environ.get('MIGRATOR_TEST_MYSQL_URL',
                            'mysql+pymysql://root@127.0.0.1:3306'),
    'postgresql': os.environ.get(
        'MIGRATOR_TEST_POSTGRESQL_URL',
        'postgresql+psycopg2://postgres@127.0.0.1:5432'),
}
BACKENDS = ('mysql', 'postgresql')
SIZES = (10000, 1000000)
QUICK_SIZES = (2000, 20000)
PAGE = 1000
CELLS = ('cell1', 'cell2')
CHUNK = 5000
TARGETS = {'deep_first': 1.5, 'deep_raw': 3.0, 'memory': 0.10}
T0 = datetime.datetime(2020, 1, 1)
STATUSES = ('completed', 'completed', 'completed', 'failed', 'cancelled',
            'error', 'running')
TYPES = ('live-migration', 'live-migration', 'migration', 'resize')


def _load():
    return [round(x, 2) for x in os.getloadavg()]


def _uuid(n):
    return str(uuid_mod.UUID(int=n + 1, version=4))


def _row(n):
    # Global row n: newest last. Three rows a second, cells alternating.
    when = T0 + datetime.timedelta(seconds=n // 3)
    return {
        'created_at': when, 'updated_at': when, 'deleted': 0,
        'uuid': _uuid(n), 'source_compute': 'host%d' % (n % 50),
        'dest_compute': 'host%d' % ((n + 1) % 50),
        'source_node': 'host%d' % (n % 50),
        'dest_node': 'host%d' % ((n + 1) % 50),
        'dest_host': '10.0.0.%d' % (n % 250),
        'status': STATUSES[n % len(STATUSES)],
        'instance_uuid': str(uuid_mod.UUID(int=(n % 5000) + 1, version=4)),
        'old_instance_type_id': 1, 'new_instance_type_id': 1,
        'migration_type': TYPES[n % len(TYPES)], 'hidden': False,
        'cross_cell_move': False, 'user_id': 'user', 'project_id': 'project',
        'memory_total': 2 ** 31, 'memory_processed': 2 ** 30,
        'memory_remaining': 2 ** 30, 'disk_total': 0, 'disk_processed': 0,
        'disk_remaining': 0}


class Deployment:
    """An API database and two cell databases on one server, filled,
    with migrator-api running on them; dropped on exit."""

    def __init__(self, backend, count, tmp):
        self.backend = backend
        self.count = count
        self.tmp = tmp
        self.urls = {}
        self._drop = []
        self.proc = None

    def __enter__(self):
        try:
            self._create()
            self._fill()
            self._start_api()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _create(self):
        server = sa_url.make_url(SERVERS[self.backend])
        admin = sa.create_engine(
            server.set(database='postgres' if self.backend == 'postgresql'
                       else None),
            isolation_level='AUTOCOMMIT', poolclass=sa.pool.NullPool)
        prefix = 'migrator_bench_mig_%d' % os.getpid()
        for name in ('api',) + CELLS:
            db = '%s_%s' % (prefix, name)
            with admin.connect() as conn:
                conn.execute(sa.text('CREATE DATABASE %s' % db))
            drop = 'DROP DATABASE IF EXISTS %s' % db
            if self.backend == 'postgresql':
                drop += ' WITH (FORCE)'
            self._drop.append((admin, drop))
            url = server.set(database=db).render_as_string(
                hide_password=False)
            if self.backend == 'mysql':
                url += '?charset=utf8mb4'
            self.urls[name] = url
        migration.db_sync('api', self.urls['api'])
        api = session.engine_for(self.urls['api'])
        with api.begin() as conn:
            for i, name in enumerate(CELLS):
                migration.db_sync('main', self.urls[name])
                conn.execute(sa.text(
                    'INSERT INTO cell_mappings (uuid, name, transport_url, '
                    'database_connection, disabled) VALUES (:u, :n, :t, '
                    ':d, :f)'), {'u': str(uuid_mod.UUID(int=i + 1)),
                                 'n': name, 't': 'fake:/',
                                 'd': self.urls[name], 'f': False})

    def _fill(self):
        started = time.perf_counter()
        engines = [session.engine_for(self.urls[name]) for name in CELLS]
        tables = [sa.Table('migrations', sa.MetaData(), autoload_with=e)
                  for e in engines]
        for cell in range(len(CELLS)):
            rows = range(cell, self.count, len(CELLS))
            for start in range(0, len(rows), CHUNK):
                with engines[cell].begin() as conn:
                    conn.execute(tables[cell].insert(),
                                 [_row(n) for n in rows[start:start + CHUNK]])
        for engine in engines:
            if self.backend == 'postgresql':
                with engine.connect().execution_options(
                        isolation_level='AUTOCOMMIT') as conn:
                    conn.execute(sa.text('VACUUM ANALYZE migrations'))
            else:
                with engine.connect() as conn:
                    conn.execute(sa.text('ANALYZE TABLE migrations'))
        self.fill_seconds = time.perf_counter() - started
        print('  filled %d migrations in %.1f s' % (
            self.count, self.fill_seconds), flush=True)

    def _start_api(self):
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', 0))
            self.port = sock.getsockname()[1]
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', 0))
            volume_port = sock.getsockname()[1]
        conf = os.path.join(self.tmp, 'api.conf')
        with open(conf, 'w') as f:
            f.write('[DEFAULT]\ntransport_url = fake:/\n'
                    '[api]\nauth_strategy = noauth2\nbind_port = %d\n'
                    'volume_bind_port = %d\n[api_database]\n'
                    'connection = %s\n'
                    % (self.port, volume_port, self.urls['api']))
        self.proc = subprocess.Popen(
            [sys.executable, '-m', 'migrator.cmd.api', '--config-file',
             conf], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, text=True)
        lines = []
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError('migrator-api exited: %s'
                                   % ''.join(lines[-20:]))
            lines.append(line)
            if 'listening on' in line:
                break
        # Nothing reads its output from here on: send it nowhere.
        self.proc.stdout.close()

    def memory_kb(self):
        found = {}
        with open('/proc/%d/status' % self.proc.pid) as f:
            for line in f:
                key = line.split(':')[0]
                if key in ('VmRSS', 'VmHWM'):
                    found[key] = int(line.split()[1])
        return found

    def __exit__(self, *exc):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        session.reset()
        for engine, sql in reversed(self._drop):
            with engine.connect() as conn:
                conn.execute(sa.text(sql))
            engine.dispose()
        self._drop = []


def _get(conn, path):
    conn.request('GET', path, headers={
        'X-Auth-Token': 'admin', 'OpenStack-API-Version': 'compute 2.59',
        'Connection': 'keep-alive'})
    resp = conn.getresponse()
    body = resp.read()
    assert resp.status == 200, (resp.status, body[:500])
    return json.loads(body)


def _median_ms(func, repeat):
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1000, 2)


def _page_sql(table):
    query = sa.select(table).where(
        table.c.deleted == 0, table.c.hidden == sa.false(),
        table.c.created_at <= sa.bindparam('c'),
        sa.or_(table.c.created_at < sa.bindparam('c'),
               table.c.id < sa.bindparam('i')))
    # The hint the API gives MariaDB for the same page (see
    # migrator.objects.migration._seek_created_at).
    for dialect in ('mysql', 'mariadb'):
        query = query.with_hint(table, 'FORCE INDEX (%s)'
                                % migration_obj.PAGING_INDEX, dialect)
    return query.order_by(table.c.created_at.desc(),
                          table.c.id.desc()).limit(PAGE)


def raw_sql(dep, marker, repeat):
    """The databases' own cost of the deep page: (median ms, its plan)."""
    engines = [session.engine_for(dep.urls[name]) for name in CELLS]
    conns = [e.connect() for e in engines]
    tables = [sa.Table('migrations', sa.MetaData(), autoload_with=e)
              for e in engines]
    page = [_page_sql(t) for t in tables]

    def once():
        edge = None
        for conn, table in zip(conns, tables):
            row = conn.execute(sa.select(table.c.created_at, table.c.id)
                               .where(table.c.uuid == marker)).first()
            if row is not None:
                edge = row
        rows = []
        for conn, query in zip(conns, page):
            rows += conn.execute(query, {'c': edge.created_at,
                                         'i': edge.id}).all()
            conn.rollback()
        rows.sort(key=lambda r: (r.created_at, r.id), reverse=True)
        assert len(rows[:PAGE]) == PAGE
    try:
        once()
        ms = _median_ms(once, repeat)
        # The plan of cell1's page query, with the marker's edge.
        compiled = page[0].compile(dialect=engines[0].dialect)
        edge = conns[0].execute(sa.select(
            sa.func.max(tables[0].c.created_at))).scalar()
        plan = conns[0].exec_driver_sql(
            'EXPLAIN ' + str(compiled),
            compiled.construct_params({'c': edge, 'i': 10 ** 9})).all()
        conns[0].rollback()
        return ms, [' | '.join(str(c) for c in row) for row in plan]
    finally:
        for conn in conns:
            conn.close()


def bench(backend, count, repeat):
    print('== %s, %d migrations in 2 cells (load %s)' % (
        backend, count, _load()), flush=True)
    with tempfile.TemporaryDirectory(prefix='bench-mig-') as tmp, \
            Deployment(backend, count, tmp) as dep:
        # Global order is newest first: row n is at depth count - 1 - n.
        # 90 % down, or as deep as still leaves a whole page after it.
        depth = min(int(count * 0.9), count - PAGE - 10)
        marker = _uuid(count - 1 - depth)
        conn = http.client.HTTPConnection('127.0.0.1', dep.port,
                                          timeout=120)
        first = '/v2.1/os-migrations?limit=%d' % PAGE
        deep = first + '&marker=' + marker
        body = _get(conn, deep)
        assert len(body['migrations']) == PAGE, len(body['migrations'])
        for _ in range(3):
            _get(conn, first)
            _get(conn, deep)
        load = _load()
        # Interleaved, so that both see the same moments of a shared
        # machine.
        samples = {first: [], deep: []}
        for _ in range(repeat):
            for path in (first, deep):
                started = time.perf_counter()
                _get(conn, path)
                samples[path].append(time.perf_counter() - started)
        first_ms, deep_ms = (
            round(statistics.median(samples[p]) * 1000, 2)
            for p in (first, deep))
        memory = dep.memory_kb()
        conn.close()
        raw_ms, plan = raw_sql(dep, marker, repeat)
        result = {'backend': backend, 'rows': count, 'cells': len(CELLS),
                  'page': PAGE, 'marker_depth': depth, 'repeat': repeat,
                  'load_average': load,
                  'fill_seconds': round(dep.fill_seconds, 1),
                  'first_page_ms': first_ms, 'deep_page_ms': deep_ms,
                  'raw_sql_ms': raw_ms,
                  'api_rss_mb': round(memory['VmRSS'] / 1024.0, 1),
                  'api_peak_rss_mb': round(memory['VmHWM'] / 1024.0, 1),
                  'page_plan': plan}
        print('  first page %.1f ms, deep page %.1f ms, raw SQL %.1f ms, '
              'API RSS %.0f MB (peak %.0f MB)' % (
                  first_ms, deep_ms, raw_ms, result['api_rss_mb'],
                  result['api_peak_rss_mb']), flush=True)
        for line in plan:
            print('    plan: ' + line, flush=True)
        return result


def ratios_of(results):
    ratios = []
    by_backend = {}
    for r in results:
        by_backend.setdefault(r['backend'], []).append(r)
    for backend, rows in by_backend.items():
        rows.sort(key=lambda r: r['rows'])
        small, big = rows[0], rows[-1]
        n = big['rows']
        value = round(big['deep_page_ms'] / big['first_page_ms'], 2)
        ratios.append(common.ratio(
            '%s %d: deep page / first page' % (backend, n),
            value, '<= %g' % TARGETS['deep_first'],
            value <= TARGETS['deep_first']))
        value = round(big['deep_page_ms'] / big['raw_sql_ms'], 2)
        ratios.append(common.ratio(
            '%s %d: deep page / raw SQL' % (backend, n),
            value, '<= %g' % TARGETS['deep_raw'],
            value <= TARGETS['deep_raw']))
        if big is not small:
            value = round(big['api_rss_mb'] / small['api_rss_mb'], 2)
            ratios.append(common.ratio(
                '%s: API RSS at %d / at %d rows' % (
                    backend, n, small['rows']), value,
                '1 +- %g' % TARGETS['memory'],
                abs(value - 1) <= TARGETS['memory']))
    return ratios


def measure(backends=BACKENDS, sizes=SIZES, repeat=30):
    import migrator.conf  # noqa: F401 - registers the option groups
    from migrator import objects
    objects.register_all()
    results = [bench(backend, count, repeat)
               for backend in backends for count in sizes]
    notes = [
        'migrator-api as its own process (cheroot), noauth2, one '
        'keep-alive HTTP connection, microversion 2.59, limit=%d; medians '
        'of the repeats' % PAGE,
        'raw SQL: the marker lookup and both cells\' keyset page queries '
        'over persistent connections from one process, fetched and merged',
        'the machine is shared: each result carries the load average; '
        'compare the ratios, not the milliseconds',
    ]
    return {'name': NAME, 'figures': {'results': results,
                                      'cores': os.cpu_count()},
            'ratios': ratios_of(results), 'notes': notes}


def run(quick):
    """The benchmarks contract: 10,000 and 1,000,000 migrations on
    MariaDB and PostgreSQL (quick: 2,000 and 20,000, 10 repeats)."""
    if quick:
        return measure(sizes=QUICK_SIZES, repeat=10)
    return measure()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', default=','.join(map(str, SIZES)))
    parser.add_argument('--backends', default=','.join(BACKENDS))
    parser.add_argument('--repeat', type=int, default=30)
    parser.add_argument('--quick', action='store_true',
                        help='2,000 and 20,000 rows, 10 repeats')
    parser.add_argument('--output', default=RESULTS)
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.sizes.split(',')]
    if args.quick:
        sizes, args.repeat = list(QUICK_SIZES), min(args.repeat, 10)
    report = measure(args.backends.split(','), sizes, args.repeat)
    common.print_ratios(report)
    common.write_result(report, args.output)
    print('Wrote %s' % args.output)
    return 0


if __name__ == '__main__':
    sys.exit(main())
