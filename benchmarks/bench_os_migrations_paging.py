"""GET /os-migrations at a million rows across two cells, on MariaDB and
PostgreSQL, through migrator-api as its own process.

For each database an API database and two cell databases are made and,
for each size N in turn (10,000 and 1,000,000; ``--quick``: 2,000 and
20,000), the cells grown to N/2 migrations each (created_at interleaved
between the cells, several rows per second so that the id tie-break is
used too; row n depends on n alone, so a grown cell holds what a fresh
fill would) and a fresh ``migrator-api`` started on them. The rows are
made by the database server itself, one INSERT ... SELECT of a generated
sequence per cell (MariaDB's SEQUENCE engine, PostgreSQL's
generate_series; both cells at once), with the secondary indexes built
after it from the server's own definitions; a sample of rows is checked
against the Python definition (``_row``). Then, over one keep-alive HTTP
connection at microversion 2.59, the median of ``--repeat`` requests of:

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
API CPU
    The API process's CPU time over the timed requests, per request
    (not a target: what to compare on a shared machine).
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
import concurrent.futures
import contextlib
import datetime
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
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


# The columns _row gives, in the order _fill_sql's SELECT makes them.
_COLUMNS = ('id', 'created_at', 'updated_at', 'deleted', 'uuid',
            'source_compute', 'dest_compute', 'source_node', 'dest_node',
            'dest_host', 'status', 'instance_uuid', 'old_instance_type_id',
            'new_instance_type_id', 'migration_type', 'hidden',
            'cross_cell_move', 'user_id', 'project_id', 'memory_total',
            'memory_processed', 'memory_remaining', 'disk_total',
            'disk_processed', 'disk_remaining')


def _fill_sql(backend, have, rows):
    """One INSERT ... SELECT that makes a cell's rows ``have`` ... ``rows``
    - 1 on the server itself from a generated sequence (MariaDB's
    SEQUENCE engine, PostgreSQL's generate_series): the same values as
    _row(n) for n = 2 s + cell, id s + 1 (_check_fill compares them)."""
    if backend == 'mysql':
        uuid = ("CONCAT('00000000-0000-4000-8000-', "
                "LPAD(LOWER(HEX({0})), 12, '0'))")
        pick = 'ELT({0} + 1, {1})'
        when = 'TIMESTAMPADD(SECOND, n DIV 3, :t0)'
        text = "CONCAT('{0}', {1})"
        source = ('(SELECT seq AS s, seq * :cells + :cell AS n FROM '
                  'seq_%d_to_%d) g' % (have, rows - 1))
        mtype = '%s'
        false = '0'
    else:
        uuid = "'00000000-0000-4000-8000-' || lpad(to_hex({0}), 12, '0')"
        pick = '(ARRAY[{1}])[{0} + 1]'
        when = "CAST(:t0 AS timestamp) + (n / 3) * interval '1 second'"
        text = "'{0}' || ({1})"
        source = ('(SELECT s, s * :cells + :cell AS n FROM '
                  'generate_series(%d, %d) s) g' % (have, rows - 1))
        mtype = 'CAST(%s AS migration_type)'
        false = 'false'

    def words(values):
        return ', '.join("'%s'" % v for v in values)
    values = [
        's + 1', when, when, '0', uuid.format('n + 1'),
        text.format('host', 'n % 50'), text.format('host', '(n + 1) % 50'),
        text.format('host', 'n % 50'), text.format('host', '(n + 1) % 50'),
        text.format('10.0.0.', 'n % 250'),
        pick.format('n % {0}'.format(len(STATUSES)), words(STATUSES)),
        uuid.format('n % 5000 + 1'), '1', '1',
        mtype % pick.format('n % {0}'.format(len(TYPES)), words(TYPES)),
        false, false, "'user'", "'project'", str(2 ** 31), str(2 ** 30),
        str(2 ** 30), '0', '0', '0']
    return 'INSERT INTO migrations (%s) SELECT %s FROM %s ORDER BY s' % (
        ', '.join(_COLUMNS), ', '.join(values), source)


@contextlib.contextmanager
def _indexes_later(conn):
    """Load without the secondary indexes and build them afterwards, as
    a bulk load does: each is dropped and made again from the server's
    own definition of it (PostgreSQL's pg_indexes, MariaDB's SHOW CREATE
    TABLE), so the table ends as db_sync made it. The primary key and
    the unique uuid stay (rows still checked as they come)."""
    if conn.dialect.name == 'postgresql':
        defs = conn.execute(sa.text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = "
            "'migrations' AND schemaname = current_schema() AND indexname "
            "NOT IN ('migrations_pkey', 'uniq_migrations0uuid')")).all()
        drop = ['DROP INDEX %s' % name for name, _ in defs]
        make = [sql for _, sql in defs]
    else:
        table = conn.execute(sa.text(
            'SHOW CREATE TABLE migrations')).one()[1]
        keys = [line.strip().rstrip(',') for line in table.splitlines()
                if line.strip().startswith('KEY ')]
        drop = ['ALTER TABLE migrations %s' % ', '.join(
            'DROP INDEX %s' % key.split()[1] for key in keys)] if keys \
            else []
        make = ['ALTER TABLE migrations %s' % ', '.join(
            'ADD %s' % key for key in keys)] if keys else []
    for sql in drop:
        conn.execute(sa.text(sql))
    yield
    for sql in make:
        conn.execute(sa.text(sql))


def _check_fill(engine, cell, rows):
    """The generated rows are _row's: compare a few across the cell."""
    with engine.connect() as conn:
        assert conn.execute(sa.text(
            'SELECT count(*) FROM migrations')).scalar() == rows
        for s in sorted({0, 1, 2, 3, rows // 3, rows // 2, rows - 2,
                         rows - 1} & set(range(rows))):
            n = s * len(CELLS) + cell
            got = conn.execute(sa.text(
                'SELECT %s FROM migrations WHERE id = :id'
                % ', '.join(_COLUMNS)), {'id': s + 1}).one()._asdict()
            want = dict(_row(n), id=s + 1)
            assert got == {k: want[k] for k in _COLUMNS}, (n, got, want)


class Deployment:
    """An API database and two cell databases on one server, grown to
    each size in turn (``grow``), with migrator-api started on them for
    each (``start_api``, ``stop_api``); dropped on exit."""

    def __init__(self, backend, tmp):
        self.backend = backend
        self.count = 0
        self.tmp = tmp
        self.urls = {}
        self._drop = []
        self.proc = None

    def __enter__(self):
        try:
            self._create()
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

    def grow(self, count):
        """Add global rows self.count ... count - 1: the cells then hold
        what a fill of ``count`` at once gives (rows are newest last, and
        row n's cell, id and values depend on n alone). Both cells at
        once, each the server's own work: one INSERT ... SELECT of
        generated rows, then its indexes."""
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(len(CELLS)) as pool:
            list(pool.map(lambda cell: self._fill_cell(cell, count),
                          range(len(CELLS))))
        self.fill_seconds = time.perf_counter() - started
        print('  filled migrations %d -> %d in %.1f s' % (
            self.count, count, self.fill_seconds), flush=True)
        self.count = count

    def _fill_cell(self, cell, count):
        # Cell ``cell`` holds global rows cell, cell + 2, ...: row n is
        # its (n // 2 + 1)th, ids in insertion order.
        engine = session.engine_for(self.urls[CELLS[cell]])
        have = len(range(cell, self.count, len(CELLS)))
        rows = len(range(cell, count, len(CELLS)))
        with engine.begin() as conn, _indexes_later(conn):
            conn.execute(sa.text(_fill_sql(self.backend, have, rows)),
                         {'cell': cell, 'cells': len(CELLS), 't0': T0})
            if self.backend == 'postgresql':
                conn.execute(sa.text(
                    "SELECT setval(pg_get_serial_sequence("
                    "'migrations', 'id'), :n)"), {'n': rows})
        _check_fill(engine, cell, rows)
        if self.backend == 'postgresql':
            with engine.connect().execution_options(
                    isolation_level='AUTOCOMMIT') as conn:
                conn.execute(sa.text('VACUUM ANALYZE migrations'))
        else:
            with engine.connect() as conn:
                conn.execute(sa.text('ANALYZE TABLE migrations'))

    def start_api(self):
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
        # Its log from here on is read and dropped: a closed pipe would
        # fail its next write, a full one would block it.
        self.log_tail = lines
        threading.Thread(target=self._drain, args=(self.proc.stdout,),
                         daemon=True).start()

    def _drain(self, pipe):
        for line in pipe:
            self.log_tail = (self.log_tail + [line])[-20:]

    def memory_kb(self):
        found = {}
        with open('/proc/%d/status' % self.proc.pid) as f:
            for line in f:
                key = line.split(':')[0]
                if key in ('VmRSS', 'VmHWM'):
                    found[key] = int(line.split()[1])
        return found

    def stop_api(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __exit__(self, *exc):
        self.stop_api()
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


def bench(backend, sizes, repeat):
    """Each size, smallest first, on one set of databases grown from
    one size to the next, with a fresh migrator-api for each."""
    results = []
    with tempfile.TemporaryDirectory(prefix='bench-mig-') as tmp, \
            Deployment(backend, tmp) as dep:
        for count in sorted(sizes):
            print('== %s, %d migrations in 2 cells (load %s)' % (
                backend, count, _load()), flush=True)
            dep.grow(count)
            dep.start_api()
            try:
                results.append(bench_size(dep, repeat))
            finally:
                dep.stop_api()
    return results


def bench_size(dep, repeat):
    backend, count = dep.backend, dep.count
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
    cpu = common.cpu_seconds(dep.proc.pid)
    for _ in range(repeat):
        for path in (first, deep):
            started = time.perf_counter()
            _get(conn, path)
            samples[path].append(time.perf_counter() - started)
    cpu_ms = (common.cpu_seconds(dep.proc.pid) - cpu) * 1000.0 / (
        2 * repeat)
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
              'api_cpu_ms_per_request': round(cpu_ms, 1),
              'api_rss_mb': round(memory['VmRSS'] / 1024.0, 1),
              'api_peak_rss_mb': round(memory['VmHWM'] / 1024.0, 1),
              'page_plan': plan}
    print('  first page %.1f ms, deep page %.1f ms, raw SQL %.1f ms, '
          'API CPU %.1f ms a request, API RSS %.0f MB (peak %.0f MB)' % (
              first_ms, deep_ms, raw_ms, cpu_ms, result['api_rss_mb'],
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
    results = []
    for backend in backends:
        results += bench(backend, sizes, repeat)
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
