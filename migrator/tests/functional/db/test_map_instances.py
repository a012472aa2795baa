"""``migrator-manage cell_v2 map_instances`` as a real process on SQLite,
MariaDB and PostgreSQL: every instance mapped exactly once whatever
happens to the run — killed with SIGKILL at random points and run again,
two runs at once, ``--max-count`` runs until done.

Each test creates its own API and cell databases on the server and drops
them afterwards (``TempDatabase``). A server that is down fails the test,
naming it; nothing is skipped. Which way the instances reach the API
database is checked too: ATTACH (SQLite files), a cross-database
statement (MariaDB, one server), a cross-schema statement (PostgreSQL, one
database) and streaming pages (PostgreSQL databases, which cannot see each
other).
"""
import os
import random
import signal
import subprocess
import sys
import time

import fixtures
import sqlalchemy as sa
from sqlalchemy.engine import url as sa_url

from migrator.db import migration
from migrator.db import session
from migrator.tests import base
from migrator.tests import cell_seed
from migrator.tests import fixtures as migrator_fixtures

CELL = '11111111-2222-3333-4444-555555555555'


def _manage():
    script = os.path.join(os.path.dirname(sys.executable), 'migrator-manage')
    if os.path.exists(script):
        return [script]
    return [sys.executable, '-m', 'migrator.cmd.manage']


class _MapInstances:
    BACKEND = None
    COUNT = 6000
    BATCH = 250
    STRATEGY = None

    def setUp(self):
        super().setUp()
        self.addCleanup(session.reset)
        self.api_url, self.cell_url = self.make_databases()
        migration.db_sync('api', self.api_url)
        migration.db_sync('main', self.cell_url)
        self.api_engine = session.engine_for(self.api_url)
        self.cell_engine = session.engine_for(self.cell_url)
        with self.api_engine.begin() as conn:
            conn.execute(sa.text(
                'INSERT INTO cell_mappings (uuid, name, transport_url, '
                'database_connection, disabled) VALUES (:u, :n, :t, :d, '
                ':f)'), {'u': CELL, 'n': 'cell1', 't': 'fake:/',
                         'd': self.cell_url, 'f': False})
        cell_seed.fill_instances(self.cell_engine, self.COUNT)
        self.uuids = set(cell_seed.instance_uuids(self.cell_engine))
        tmp = self.useFixture(fixtures.TempDir()).path
        self.config_file = os.path.join(tmp, 'migrator.conf')
        with open(self.config_file, 'w') as f:
            f.write('[api_database]\nconnection = %s\n' % self.api_url)

    def make_databases(self):
        return tuple(self.useFixture(migrator_fixtures.TempDatabase(
            self.BACKEND)).url for _ in range(2))

    def argv(self, *extra, batch=None):
        return _manage() + ['--config-file', self.config_file, 'cell_v2',
                            'map_instances', '--cell_uuid', CELL,
                            '--batch-size', str(batch or self.BATCH)] + \
            list(extra)

    def run_map(self, *extra):
        result = subprocess.run(self.argv(*extra), capture_output=True,
                                text=True, timeout=300,
                                stdin=subprocess.DEVNULL)
        return result.returncode, result.stdout, result.stderr

    def assert_all_mapped_once(self):
        counts, markers = cell_seed.mapping_counts(self.api_engine)
        self.assertEqual(self.uuids, set(counts))
        self.assertEqual({1}, set(counts.values()))
        self.assertEqual(0, markers)
        with self.api_engine.connect() as conn:
            wrong = conn.execute(sa.text(
                'SELECT count(*) FROM instance_mappings m JOIN '
                'cell_mappings c ON c.id = m.cell_id WHERE c.uuid != :u'),
                {'u': CELL}).scalar()
        self.assertEqual(0, wrong)

    def test_maps_all_then_nothing(self):
        code, out, err = self.run_map()
        self.assertEqual(0, code, out + err)
        self.assertIn('mapped %d new' % self.COUNT, out)
        self.assertIn('(%s)' % self.STRATEGY, out)
        self.assert_all_mapped_once()
        code, out, err = self.run_map()
        self.assertEqual(0, code, out + err)
        self.assertIn('mapped 0 new, %d were already mapped' % self.COUNT,
                      out)

    def test_maps_the_rest_when_some_are_mapped(self):
        # Servers the API mapped before (scattered through the cell, and
        # none in the first batches): each is left alone, the others are
        # mapped once.
        with self.cell_engine.connect() as conn:
            ordered = [r[0] for r in conn.execute(sa.text(
                'SELECT uuid FROM instances ORDER BY id'))]
        already = ordered[3 * self.BATCH::7]
        with self.api_engine.begin() as conn:
            cell_id = conn.execute(sa.text(
                'SELECT id FROM cell_mappings WHERE uuid = :u'),
                {'u': CELL}).scalar()
            conn.execute(sa.text(
                'INSERT INTO instance_mappings (instance_uuid, cell_id, '
                'project_id, user_id, queued_for_delete) VALUES (:u, :c, '
                ':p, :p, :f)'),
                [{'u': u, 'c': cell_id, 'p': 'api', 'f': False}
                 for u in already])
        code, out, err = self.run_map()
        self.assertEqual(0, code, out + err)
        self.assertIn('mapped %d new, %d were already mapped' % (
            self.COUNT - len(already), len(already)), out)
        self.assert_all_mapped_once()

    def test_max_count_exits_1_until_done(self):
        codes = []
        while not codes or codes[-1] == 1:
            code, out, err = self.run_map('--max-count', '2000')
            codes.append(code)
            self.assertLess(len(codes), 10, out + err)
        self.assertEqual([1, 1, 0], codes)
        self.assert_all_mapped_once()

    def test_sigkill_at_random_points_then_rerun(self):
        rng = random.Random(os.getpid())
        killed = 0
        for _ in range(6):
            # Batches of 5, a commit each: a whole run lasts seconds even
            # on a quiet machine, so the kills land mid-way (with 250 a
            # run could end before the first kill, seen on PostgreSQL).
            proc = subprocess.Popen(self.argv(batch=5),
                                    stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL,
                                    stdin=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.3, 2.0))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                killed += 1
            proc.wait(timeout=60)
        code, out, err = self.run_map()
        self.assertEqual(0, code, out + err)
        self.assert_all_mapped_once()
        self.assertGreater(killed, 0, 'no run was killed mid-way')

    def test_two_runs_at_once(self):
        procs = [subprocess.Popen(self.argv(), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True,
                                  stdin=subprocess.DEVNULL)
                 for _ in range(2)]
        outputs = [proc.communicate(timeout=300) for proc in procs]
        for proc, (out, err) in zip(procs, outputs):
            self.assertEqual(0, proc.returncode, out + err)
        self.assert_all_mapped_once()


class TestMapInstancesSQLite(_MapInstances, base.TestCase):
    BACKEND = 'sqlite'
    STRATEGY = 'attach'


class TestMapInstancesMySQL(_MapInstances, base.TestCase):
    BACKEND = 'mysql'
    STRATEGY = 'cross-database'


class TestMapInstancesPostgreSQL(_MapInstances, base.TestCase):
    """Two PostgreSQL databases cannot see each other: pages stream."""
    BACKEND = 'postgresql'
    STRATEGY = 'stream'


class TestMapInstancesPostgreSQLSchemas(_MapInstances, base.TestCase):
    """The API and cell tables in two schemas of one PostgreSQL database:
    one statement per batch."""
    BACKEND = 'postgresql'
    STRATEGY = 'cross-schema'

    def make_databases(self):
        url = self.useFixture(migrator_fixtures.TempDatabase(
            self.BACKEND)).url
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with engine.begin() as conn:
            conn.execute(sa.text('CREATE SCHEMA migrator_api'))
            conn.execute(sa.text('CREATE SCHEMA migrator_cell1'))
        engine.dispose()

        def in_schema(schema):
            return sa_url.make_url(url).update_query_dict(
                {'options': '-csearch_path=%s' % schema}).render_as_string(
                    hide_password=False)
        return in_schema('migrator_api'), in_schema('migrator_cell1')
