"""``migrator-manage cell_v2 map_instances`` against its floor and against
Nova's row-at-a-time algorithm, on SQLite, MariaDB and PostgreSQL.

For each database one cell is grown to each N in turn (10 % of the
instances deleted; the rows cell_seed gives, so a grown cell holds what
a fresh fill would; made by the server itself, INSERT ... SELECT of a
generated sequence, on MariaDB and PostgreSQL, and in one transaction
on SQLite), with no mappings, then timed:

floor
    One ``INSERT ... SELECT`` anti-join of all the cell's instances into
    ``instance_mappings``, on the same server (SQLite: the cell file
    ATTACHed; MariaDB: two databases of one server; PostgreSQL: two
    schemas of one database). Run twice (before and after the migrator),
    the faster counts; once at the largest size. Target: migrator /
    floor <= 2.
migrator
    The real ``migrator-manage cell_v2 map_instances --cell_uuid U``
    process, from start to exit; its peak RSS (VmHWM, read while it
    runs). Target: peak RSS < 200 MB.
row-at-a-time
    Nova's algorithm (nova-manage's ``_get_and_map_instances``), its
    statements written here as plain SQL: batches of 50 whole instance
    rows read in ``created_at`` order after a marker (whose whole row is
    looked up each batch, as Nova's paging does), then each mapping in a
    transaction of its own: the INSERT, and the read of its cell mapping
    that ``InstanceMapping.create`` makes before it returns (the
    ``cell_mapping`` relationship loaded inside the session); a duplicate
    is skipped. Nova's ORM and object building per row, and the joins its
    instance list adds (info cache, security groups, metadata), are left
    out, so the baseline is faster than Nova. It runs on a sample
    (``--baseline-rows``, or until ``--baseline-seconds``) and its time is
    extrapolated linearly to N; the JSON says so. Target: migrator at
    least 100 x faster.

growth
    The migrator's own mapping time (its summary line, without the
    process start) per instance at the largest size over the same at the
    smallest size that took a second or more (the summary gives tenths),
    with the floor's own growth beside it. Target: <= 1.5 (linear, or
    better).

``run(quick)`` returns the figures and the ratios with their targets (the
benchmarks contract); ``main`` prints them and writes
benchmarks/results/map_instances.json.

    python -m benchmarks.bench_map_instances [--sizes 10000,100000,1000000]
        [--backends sqlite,mysql,postgresql] [--quick]
"""
import argparse
import contextlib
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time

import sqlalchemy as sa
from sqlalchemy.engine import url as sa_url

from benchmarks import common
from migrator.db import map_instances as mapper_db
from migrator.db import migration
from migrator.db import session
from migrator.tests import cell_seed

CELL = '0bec0bec-0000-4000-8000-00000000be0c'
RESULTS = os.path.join(os.path.dirname(__file__), 'results',
                       'map_instances.json')
SERVERS = {
    'mysql': os.environ.get('MIGRATOR_TEST_MYSQL_URL',
                            'mysql+pymysql://root@127.0.0.1:3306'),
    'postgresql': os.environ.get(
        'MIGRATOR_TEST_POSTGRESQL_URL',
        'postgresql+psycopg2://postgres@127.0.0.1:5432'),
}


# -- databases ------------------------------------------------------------

class Databases:
    """An API and a cell database on one server, created and dropped."""

    def __init__(self, backend, tmp):
        self.backend = backend
        self.tmp = tmp
        self._drop = []

    def __enter__(self):
        name = 'migrator_bench_%d' % os.getpid()
        if self.backend == 'sqlite':
            self.api_url = 'sqlite:///%s' % os.path.join(self.tmp, 'api.db')
            self.cell_url = 'sqlite:///%s' % os.path.join(self.tmp,
                                                          'cell1.db')
            return self
        server = sa_url.make_url(SERVERS[self.backend])
        admin = sa.create_engine(
            server.set(database='postgres' if self.backend == 'postgresql'
                       else None),
            isolation_level='AUTOCOMMIT', poolclass=sa.pool.NullPool)
        if self.backend == 'mysql':
            for db in (name + '_api', name + '_cell1'):
                with admin.connect() as conn:
                    conn.execute(sa.text('CREATE DATABASE %s' % db))
                self._drop.append((admin, 'DROP DATABASE IF EXISTS %s' % db))
            self.api_url, self.cell_url = (
                server.set(database=db).render_as_string(
                    hide_password=False) + '?charset=utf8mb4'
                for db in (name + '_api', name + '_cell1'))
            return self
        with admin.connect() as conn:
            conn.execute(sa.text('CREATE DATABASE %s' % name))
        self._drop.append((admin, 'DROP DATABASE IF EXISTS %s WITH (FORCE)'
                           % name))
        db_url = server.set(database=name)
        engine = sa.create_engine(db_url, poolclass=sa.pool.NullPool)
        with engine.begin() as conn:
            conn.execute(sa.text('CREATE SCHEMA migrator_api'))
            conn.execute(sa.text('CREATE SCHEMA migrator_cell1'))
        engine.dispose()
        self.api_url, self.cell_url = (
            db_url.update_query_dict(
                {'options': '-csearch_path=%s' % schema}).render_as_string(
                    hide_password=False)
            for schema in ('migrator_api', 'migrator_cell1'))
        return self

    def __exit__(self, *exc):
        session.reset()
        for engine, sql in reversed(self._drop):
            with engine.connect() as conn:
                conn.execute(sa.text(sql))
            engine.dispose()


def prepare(dbs):
    """The schemas and the cell's mapping; (API engine, cell id)."""
    migration.db_sync('api', dbs.api_url)
    migration.db_sync('main', dbs.cell_url)
    api = session.engine_for(dbs.api_url)
    with api.begin() as conn:
        conn.execute(sa.text(
            'INSERT INTO cell_mappings (uuid, name, transport_url, '
            'database_connection, disabled) VALUES (:u, :n, :t, :d, :f)'),
            {'u': CELL, 'n': 'cell1', 't': 'fake:/', 'd': dbs.cell_url,
             'f': False})
        cell_id = conn.execute(sa.text(
            'SELECT id FROM cell_mappings WHERE uuid = :u'),
            {'u': CELL}).scalar()
    return api, cell_id


def grow(dbs, have, count):
    """Fill the cell from ``have`` to ``count`` instances: the rows
    cell_seed.instance_rows gives (ids have + 1 ... count, uuids in
    random order, every tenth deleted), so a cell grown 10,000 ->
    100,000 holds what a cell filled with 100,000 at once does. The
    servers make the rows themselves (INSERT ... SELECT of a generated
    sequence, the secondary indexes built after); SQLite takes them in
    one transaction without fsync (the load only: map_instances opens
    the file with its own settings)."""
    started = time.perf_counter()
    engine = session.engine_for(dbs.cell_url)
    if engine.dialect.name == 'sqlite':
        _grow_sqlite(engine, have, count)
    else:
        with engine.begin() as conn, _indexes_later(conn, 'instances'):
            conn.execute(sa.text(_grow_sql(engine.dialect.name, have,
                                           count)),
                         {'base': datetime.datetime(2024, 1, 1)})
            if engine.dialect.name == 'postgresql':
                conn.execute(sa.text(
                    "SELECT setval(pg_get_serial_sequence('instances', "
                    "'id'), :n)"), {'n': count})
    _check_grow(engine, have, count)
    print('  filled instances %d -> %d in %.1f s' % (
        have, count, time.perf_counter() - started), flush=True)
    analyze(engine, 'instances')


# cell_seed.instance_rows' columns (and locked, the model's default).
_COLUMNS = ('id', 'uuid', 'display_name', 'project_id', 'user_id',
            'vm_state', 'power_state', 'created_at', 'deleted',
            'deleted_at', 'locked')


def _grow_sqlite(engine, have, count):
    conn = engine.raw_connection()
    try:
        cur = conn.cursor()
        cur.execute('PRAGMA synchronous = OFF')
        cur.execute('PRAGMA cache_size = -262144')
        # The driver's own transactions are off (migrator.db.session).
        cur.execute('BEGIN')
        # The plain indexes are built after the rows, from their own
        # CREATE INDEX (the unique uuid's stays: it has none).
        indexes = cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
            "tbl_name = 'instances' AND sql IS NOT NULL").fetchall()
        for name, _ in indexes:
            cur.execute('DROP INDEX %s' % name)
        cur.executemany(
            'INSERT INTO instances (%s) VALUES (%s)' % (
                ', '.join(_COLUMNS), ', '.join('?' * len(_COLUMNS))),
            (tuple(row[c] for c in _COLUMNS[:-1]) + (False,)
             for row in cell_seed.instance_rows(count - have, have)))
        for _, sql in indexes:
            cur.execute(sql)
        cur.execute('COMMIT')
    finally:
        conn.close()


def _grow_sql(backend, have, count):
    """cell_seed.instance_rows n = have ... count - 1 as one INSERT ...
    SELECT: seed_uuid(n) is md5('instance-<n>') with the version-4 bits
    set (the 13th hex digit 4, the 17th one of 8, 9, a, b)."""
    if backend == 'mysql':
        source = 'seq_%d_to_%d' % (have, count - 1)
        n = 'seq'
        md5 = "MD5(CONCAT('instance-', seq))"
        cat = 'CONCAT(%s)'
        seconds = 'TIMESTAMPADD(SECOND, seq, :base)'
        pos = 'INSTR'
        false = '0'
    else:
        source = 'generate_series(%d, %d) n' % (have, count - 1)
        n = 'n'
        md5 = "md5('instance-' || n)"
        cat = 'concat(%s)'
        seconds = "CAST(:base AS timestamp) + n * interval '1 second'"
        pos = 'strpos'
        false = 'false'
    uuid = cat % ', '.join([
        'SUBSTR(h, 1, 8)', "'-'", 'SUBSTR(h, 9, 4)', "'-4'",
        'SUBSTR(h, 14, 3)', "'-'",
        "SUBSTR('89ab89ab89ab89ab', %s('0123456789abcdef', "
        "SUBSTR(h, 17, 1)), 1)" % pos,
        'SUBSTR(h, 18, 3)', "'-'", 'SUBSTR(h, 21, 12)'])
    deleted = '%s %% 10 = 9' % n
    values = [
        '%s + 1' % n, uuid, cat % ("'vm-', %s" % n),
        cat % ("'project-', %s %% 97" % n), cat % ("'user-', %s %% 13" % n),
        "CASE WHEN %s THEN 'deleted' ELSE 'active' END" % deleted, '1',
        seconds, 'CASE WHEN %s THEN %s + 1 ELSE 0 END' % (deleted, n),
        'CASE WHEN %s THEN CAST(:base AS %s) END' % (
            deleted, 'datetime' if backend == 'mysql' else 'timestamp'),
        false]
    return ('INSERT INTO instances (%s) SELECT %s FROM (SELECT %s, %s AS h '
            'FROM %s) g ORDER BY %s' % (
                ', '.join(_COLUMNS), ', '.join(values), n, md5, source, n))


def _check_grow(engine, have, count):
    """The cell holds cell_seed's rows: compare a few."""
    from migrator.db.main import models as main_models
    table = main_models.Instance.__table__
    with engine.connect() as conn:
        assert conn.execute(sa.text(
            'SELECT count(*) FROM instances')).scalar() == count
        for n in sorted({have, have + 1, have + 9, (have + count) // 2,
                         count - 2, count - 1} & set(range(have, count))):
            want = next(cell_seed.instance_rows(1, n))
            got = conn.execute(sa.select(*[table.c[c] for c in _COLUMNS])
                               .where(table.c.id == n + 1)).one()._asdict()
            assert got == dict(want, locked=False), (n, got, want)


@contextlib.contextmanager
def _indexes_later(conn, table):
    """Load without ``table``'s plain secondary indexes and build them
    afterwards, as a bulk load does, each from the server's own
    definition of it (pg_indexes, SHOW CREATE TABLE): the table ends as
    db_sync made it. Primary key and unique keys stay."""
    if conn.dialect.name == 'postgresql':
        defs = conn.execute(sa.text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = "
            ":t AND schemaname = current_schema() AND indexdef NOT LIKE "
            "'CREATE UNIQUE %'"), {'t': table}).all()
        drop = ['DROP INDEX %s' % name for name, _ in defs]
        make = [sql for _, sql in defs]
    else:
        create = conn.execute(sa.text(
            'SHOW CREATE TABLE %s' % table)).one()[1]
        keys = [line.strip().rstrip(',') for line in create.splitlines()
                if line.strip().startswith('KEY ')]
        drop = ['ALTER TABLE %s %s' % (table, ', '.join(
            'DROP INDEX %s' % key.split()[1] for key in keys))] if keys \
            else []
        make = ['ALTER TABLE %s %s' % (table, ', '.join(
            'ADD %s' % key for key in keys))] if keys else []
    for sql in drop:
        conn.execute(sa.text(sql))
    yield
    for sql in make:
        conn.execute(sa.text(sql))


def analyze(engine, table):
    """Statistics, as a live database has them: without them
    PostgreSQL may take the freshly filled instances for a few rows and
    anti-join each against a scan of the mappings being written (the
    floor then grows with the square of the count)."""
    if engine.dialect.name == 'postgresql':
        with engine.connect().execution_options(
                isolation_level='AUTOCOMMIT') as conn:
            conn.execute(sa.text('VACUUM ANALYZE %s' % table))
    elif engine.dialect.name == 'mysql':
        with engine.connect() as conn:
            conn.execute(sa.text('ANALYZE TABLE %s' % table)).all()
    else:
        with engine.begin() as conn:
            conn.execute(sa.text('ANALYZE %s' % table))


def clear_mappings(api):
    # TRUNCATE: deleting a million rows one by one takes InnoDB minutes.
    verb = ('DELETE FROM' if api.dialect.name == 'sqlite'
            else 'TRUNCATE TABLE')
    with api.begin() as conn:
        conn.execute(sa.text('%s instance_mappings' % verb))
    if api.dialect.name == 'postgresql':
        with api.connect().execution_options(
                isolation_level='AUTOCOMMIT') as conn:
            conn.execute(sa.text('VACUUM ANALYZE instance_mappings'))


def mapped_count(api):
    with api.connect() as conn:
        return conn.execute(sa.text(
            'SELECT count(*) FROM instance_mappings WHERE project_id != '
            ':m'), {'m': mapper_db.MARKER_PROJECT_ID}).scalar()


# -- the three contenders -------------------------------------------------

def run_floor(dbs, api, cell_id):
    """One INSERT ... SELECT anti-join over every instance."""
    session.reset()
    from oslo_config import cfg
    cfg.CONF.set_override('connection', dbs.api_url, group='api_database')
    with mapper_db.InstanceMapper(cell_id, dbs.cell_url) as mapper:
        table = '%sinstance_mappings' % mapper._api_prefix
        sql = sa.text(
            'INSERT INTO %s (created_at, instance_uuid, cell_id, '
            'project_id, user_id, queued_for_delete) '
            'SELECT CURRENT_TIMESTAMP, i.uuid, :cell_id, '
            'COALESCE(i.project_id, \'\'), i.user_id, :false '
            'FROM %s i LEFT JOIN %s m ON m.instance_uuid = i.uuid '
            'WHERE m.id IS NULL' % (table, mapper._src, table))
        started = time.perf_counter()
        rows = mapper._api.execute(sql, {'cell_id': cell_id,
                                         'false': False}).rowcount
        mapper._api.commit()
        elapsed = time.perf_counter() - started
    cfg.CONF.clear_override('connection', group='api_database')
    session.reset()
    return elapsed, rows, mapper.strategy


def run_migrator(dbs, tmp):
    conf = os.path.join(tmp, 'bench.conf')
    with open(conf, 'w') as f:
        f.write('[api_database]\nconnection = %s\n' % dbs.api_url)
    script = os.path.join(os.path.dirname(sys.executable), 'migrator-manage')
    argv = ([script] if os.path.exists(script)
            else [sys.executable, '-m', 'migrator.cmd.manage'])
    argv += ['--config-file', conf, 'cell_v2', 'map_instances',
             '--cell_uuid', CELL]
    started = time.perf_counter()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    peak = [0]

    def watch():
        # The process's own high-water mark (VmHWM, since its exec): the
        # rusage of a vforked child also counts the parent's pages.
        while proc.poll() is None:
            try:
                with open('/proc/%d/status' % proc.pid) as f:
                    for line in f:
                        if line.startswith('VmHWM:'):
                            peak[0] = max(peak[0], int(line.split()[1]))
            except OSError:
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    output = proc.stdout.read().decode()
    proc.wait()
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime - children.ru_utime -
           children.ru_stime)
    watcher.join()
    if proc.returncode != 0:
        raise RuntimeError('map_instances exited %d: %s'
                           % (proc.returncode, output))
    return (elapsed, peak[0] / 1024.0, output.strip().splitlines()[-1],
            cpu)


def run_row_at_a_time(dbs, cell_id, count, max_rows, max_seconds):
    """Nova's algorithm on a sample: (seconds, rows done)."""
    api = session.engine_for(dbs.api_url)
    cell = session.engine_for(dbs.cell_url)
    insert = sa.text(
        'INSERT INTO instance_mappings (created_at, instance_uuid, cell_id, '
        'project_id, user_id, queued_for_delete) VALUES (CURRENT_TIMESTAMP, '
        ':uuid, :cell_id, :project_id, :user_id, :false)')
    # InstanceMapping.create's load of the new mapping's cell_mapping.
    its_cell = sa.text('SELECT * FROM cell_mappings WHERE id = :cell_id')
    marker = None
    done = 0
    started = time.perf_counter()
    while done < max_rows and time.perf_counter() - started < max_seconds:
        with cell.connect() as conn:
            if marker is None:
                rows = conn.execute(sa.text(
                    'SELECT * FROM instances ORDER BY created_at, id '
                    'LIMIT 50')).all()
            else:
                edge = conn.execute(sa.text(
                    'SELECT * FROM instances WHERE uuid = :u'),
                    {'u': marker}).first()
                rows = conn.execute(sa.text(
                    'SELECT * FROM instances WHERE created_at > :c OR '
                    '(created_at = :c AND id > :i) ORDER BY created_at, id '
                    'LIMIT 50'), {'c': edge.created_at, 'i': edge.id}).all()
        for row in rows:
            try:
                with api.begin() as conn:
                    conn.execute(insert, {
                        'uuid': row.uuid, 'cell_id': cell_id,
                        'project_id': row.project_id,
                        'user_id': row.user_id, 'false': False})
                    conn.execute(its_cell, {'cell_id': cell_id}).one()
            except sa.exc.IntegrityError:
                continue
        done += len(rows)
        if len(rows) < 50:
            break
        marker = rows[-1].uuid
    return time.perf_counter() - started, done


# -- driver ---------------------------------------------------------------

NAME = 'map_instances'
BACKENDS = ('sqlite', 'mysql', 'postgresql')
SIZES = (10000, 100000, 1000000)
QUICK_SIZES = (2000, 20000)
# The row-at-a-time sample: seconds give its rate (3-35 ms a row here).
BASELINE_ROWS = 5000
BASELINE_SECONDS = 15.0
TARGETS = {'floor': 2.0, 'speedup': 100.0, 'rss_mb': 200.0, 'growth': 1.5}


def _load():
    return [round(x, 2) for x in os.getloadavg()]


def bench(backend, sizes, baseline_rows, baseline_seconds):
    """One database at each size, smallest first, in one cell grown from
    one size to the next (see ``grow``)."""
    results = []
    with tempfile.TemporaryDirectory(prefix='bench-map-') as tmp, \
            Databases(backend, tmp) as dbs:
        api, cell_id = prepare(dbs)
        have = 0
        for count in sorted(sizes):
            print('== %s, %d instances (load %s)' % (
                backend, count, _load()), flush=True)
            grow(dbs, have, count)
            have = count
            clear_mappings(api)
            # The row-at-a-time sample at the largest size only; there
            # too the floor runs once (a minute a run at 1,000,000).
            largest = count == max(sizes)
            results.append(bench_size(
                dbs, tmp, api, cell_id, count,
                baseline_rows if largest else 0, baseline_seconds,
                floor_runs=1 if largest else 2))
    return results


def bench_size(dbs, tmp, api, cell_id, count, baseline_rows,
               baseline_seconds, floor_runs=2):
    """One size: the floor (``floor_runs`` 2: before and after the
    migrator, the faster counts), the migrator, and (``baseline_rows`` >
    0) the row-at-a-time sample."""
    backend = dbs.backend
    load = _load()
    floor1, rows, strategy = run_floor(dbs, api, cell_id)
    assert rows == count, (rows, count)
    print('  floor (one INSERT ... SELECT, %s): %.2f s' % (
        strategy, floor1), flush=True)
    clear_mappings(api)
    migrator_s, rss_mb, summary, cpu_s = run_migrator(dbs, tmp)
    assert mapped_count(api) == count
    print('  migrator-manage map_instances: %.2f s (CPU %.2f s), peak RSS '
          '%.0f MB' % (migrator_s, cpu_s, rss_mb), flush=True)
    print('    ' + summary, flush=True)
    floors = [floor1]
    if floor_runs > 1:
        clear_mappings(api)
        floors.append(run_floor(dbs, api, cell_id)[0])
        print('  floor again: %.2f s' % floors[-1], flush=True)
    floor = min(floors)
    result = {
        'backend': backend, 'instances': count, 'deleted_fraction': 0.1,
        'strategy': strategy, 'load_average': load,
        'floor_seconds': round(floor, 3),
        'floor_runs_seconds': [round(f, 3) for f in floors],
        'migrator_seconds': round(migrator_s, 3),
        # The whole process's CPU (user + system): what to compare on a
        # shared machine.
        'migrator_cpu_seconds': round(cpu_s, 2),
        'migrator_mapping_seconds': _summary_seconds(summary),
        'migrator_peak_rss_mb': round(rss_mb, 1),
        'migrator_summary': summary,
        'ratio_to_floor': round(migrator_s / floor, 2),
    }
    if baseline_rows:
        clear_mappings(api)
        session.reset()
        base_s, base_rows = run_row_at_a_time(
            dbs, cell_id, count, baseline_rows, baseline_seconds)
        extrapolated = base_rows < count
        baseline_s = base_s * count / max(base_rows, 1)
        print('  row-at-a-time (Nova, batches of 50): %d rows in %.2f s'
              ' (%.2f ms a row)%s' % (
                  base_rows, base_s, 1000.0 * base_s / max(base_rows, 1),
                  ', EXTRAPOLATED linearly to %.0f s for %d' % (
                      baseline_s, count) if extrapolated else ''),
              flush=True)
        result.update({
            'row_at_a_time_sample_rows': base_rows,
            'row_at_a_time_sample_seconds': round(base_s, 3),
            'row_at_a_time_ms_per_row': round(
                1000.0 * base_s / max(base_rows, 1), 3),
            'row_at_a_time_seconds': round(baseline_s, 1),
            'row_at_a_time_extrapolated': extrapolated,
            'speedup_vs_row_at_a_time': round(baseline_s / migrator_s,
                                              1),
            'floor_speedup_vs_row_at_a_time': round(baseline_s / floor,
                                                    1),
        })
        print('  ratio to floor %.2f, %.0fx faster than row-at-a-time '
              '(the floor itself: %.0fx)' % (
                  result['ratio_to_floor'],
                  result['speedup_vs_row_at_a_time'],
                  result['floor_speedup_vs_row_at_a_time']), flush=True)
    return result


def _summary_seconds(summary):
    """The mapping time the migrator's summary line reports."""
    words = summary.split()
    for i, word in enumerate(words[:-1]):
        if words[i + 1].startswith('s,') and word.replace('.', '').isdigit():
            return float(word)
    return None


def ratios_of(results):
    """The contract's ratios, per database, from bench() results."""
    ratios = []
    by_backend = {}
    for r in results:
        by_backend.setdefault(r['backend'], []).append(r)
    for backend, rows in by_backend.items():
        rows.sort(key=lambda r: r['instances'])
        big = rows[-1]
        # Growth from the smallest size whose mapping took a second or
        # more: the summary line gives tenths of a second, too coarse
        # below that.
        timed = [r for r in rows[:-1]
                 if (r['migrator_mapping_seconds'] or 0) >= 1.0]
        small = timed[0] if timed else rows[0]
        n = big['instances']
        ratios.append(common.ratio(
            '%s %d: map_instances / floor' % (backend, n),
            big['ratio_to_floor'], '<= %g' % TARGETS['floor'],
            big['ratio_to_floor'] <= TARGETS['floor']))
        if 'speedup_vs_row_at_a_time' in big:
            speedup = big['speedup_vs_row_at_a_time']
            ratios.append(common.ratio(
                '%s %d: row-at-a-time / map_instances%s' % (
                    backend, n, ' (extrapolated)'
                    if big['row_at_a_time_extrapolated'] else ''),
                speedup, '>= %g' % TARGETS['speedup'],
                speedup >= TARGETS['speedup']))
        rss = max(r['migrator_peak_rss_mb'] for r in rows)
        ratios.append(common.ratio(
            '%s: map_instances peak RSS (MB)' % backend,
            rss, '<= %g' % TARGETS['rss_mb'], rss <= TARGETS['rss_mb']))
        if big is not small and big['migrator_mapping_seconds'] \
                and small['migrator_mapping_seconds']:
            growth = round(
                (big['migrator_mapping_seconds'] / big['instances'])
                / (small['migrator_mapping_seconds'] / small['instances']),
                2)
            floor_growth = round(
                (big['floor_seconds'] / big['instances'])
                / (small['floor_seconds'] / small['instances']), 2)
            ratios.append(common.ratio(
                '%s: time per instance at %d / at %d (the floor\'s: %s)'
                % (backend, big['instances'], small['instances'],
                   floor_growth),
                growth, '<= %g (linear)' % TARGETS['growth'],
                growth <= TARGETS['growth']))
    return ratios


def measure(backends=BACKENDS, sizes=SIZES, baseline_rows=BASELINE_ROWS,
            baseline_seconds=BASELINE_SECONDS):
    import migrator.conf  # noqa: F401 - registers the option groups
    from migrator import objects
    objects.register_all()
    results = []
    for backend in backends:
        results += bench(backend, sizes, baseline_rows, baseline_seconds)
    notes = [
        'floor: one INSERT ... SELECT anti-join of every instance on the '
        'same server, the faster of two runs (one at the largest size)',
        'one cell per database, grown from one size to the next with the '
        'rows a fresh fill of that size has (generated on the server)',
        'row-at-a-time: Nova\'s algorithm (batches of 50 read after a '
        'marker, one transaction per mapping); its time at the largest '
        'size is EXTRAPOLATED linearly from a sample of at most %d rows / '
        '%.0f s (conservative: it slows as the table grows)'
        % (baseline_rows, baseline_seconds),
        'the machine is shared: each result carries the load average at '
        'its start; compare the ratios, not the seconds',
    ]
    return {'name': NAME,
            'figures': {'results': results, 'cores': os.cpu_count()},
            'ratios': ratios_of(results), 'notes': notes}


def run(quick):
    """The benchmarks contract: 10,000 to 1,000,000 instances on each
    database (quick: 2,000 and 20,000, a 200-row or 2 s baseline
    sample)."""
    if quick:
        return measure(sizes=QUICK_SIZES, baseline_rows=200,
                       baseline_seconds=2.0)
    return measure()


def _keep_others(report, path, backends):
    """Add to ``report`` the results of the databases not in
    ``backends`` from the JSON at ``path`` (same contract), and redo its
    ratios."""
    try:
        with open(path) as f:
            old = json.load(f)['figures']['results']
    except (OSError, ValueError, KeyError, TypeError):
        return
    results = report['figures']['results']
    results[:0] = [r for r in old if r.get('backend') not in backends]
    report['ratios'] = ratios_of(results)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', default=','.join(map(str, SIZES)))
    parser.add_argument('--quick', action='store_true',
                        help='2,000 and 20,000 instances, a short baseline '
                             'sample')
    parser.add_argument('--backends', default=','.join(BACKENDS))
    parser.add_argument('--baseline-rows', type=int, default=BASELINE_ROWS)
    parser.add_argument('--baseline-seconds', type=float,
                        default=BASELINE_SECONDS)
    parser.add_argument('--output', default=RESULTS)
    parser.add_argument('--keep-others', action='store_true',
                        help='keep the results of the other databases '
                             'already in --output (a run of one database '
                             'at a time)')
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.sizes.split(',')]
    if args.quick:
        sizes = list(QUICK_SIZES)
        args.baseline_rows = min(args.baseline_rows, 500)
        args.baseline_seconds = min(args.baseline_seconds, 5)
    backends = args.backends.split(',')
    report = measure(backends, sizes, args.baseline_rows,
                     args.baseline_seconds)
    if args.keep_others:
        _keep_others(report, args.output, backends)
    common.print_ratios(report)
    common.write_result(report, args.output)
    print('Wrote %s' % args.output)
    return 0


if __name__ == '__main__':
    sys.exit(main())
